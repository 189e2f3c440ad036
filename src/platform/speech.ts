/**
 * Spoken feedback where the device has voices. Each new line cancels the last, so a quick
 * sequence (verifying, then granted) never queues up stale speech.
 */
export interface Speaker {
  say(text: string): void;
}

export function browserSpeaker(enabled: () => boolean): Speaker {
  return {
    say(text) {
      const synth = globalThis.speechSynthesis;
      if (!enabled() || !synth || synth.getVoices().length === 0) return;
      synth.cancel();
      synth.speak(new SpeechSynthesisUtterance(text));
    },
  };
}
