/**
 * One JPEG of what the camera sees now, at most `maxWidth` wide: the visitor's picture for a
 * missed ring. Null when the camera gives no picture within `waitMs` (it is off, or the tab is
 * hidden); the ring is logged without one rather than not at all.
 */
export async function cameraStill(stream: MediaStream | null, maxWidth = 640, waitMs = 2_000): Promise<Uint8Array | null> {
  if (!stream || stream.getVideoTracks().every((t) => t.readyState !== 'live')) return null;
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  try {
    const ready = new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), waitMs);
      video.addEventListener('loadeddata', () => (clearTimeout(t), resolve(true)), { once: true });
    });
    await video.play().catch(() => undefined);
    if (!(await ready) || video.videoWidth === 0) return null;
    const scale = Math.min(1, maxWidth / video.videoWidth);
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    canvas.getContext('2d')?.drawImage(video, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.8));
    return blob ? new Uint8Array(await blob.arrayBuffer()) : null;
  } finally {
    video.pause();
    video.srcObject = null;
  }
}
