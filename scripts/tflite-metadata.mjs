// TFLite Model Metadata for the npm BlazeFace files, written at provisioning time.
//
// MediaPipe Tasks' FaceDetector reads the model's `metadata` list for an entry named
// TFLITE_METADATA whose buffer holds a ModelMetadata flatbuffer (file identifier "M001",
// tflite-support's metadata_schema.fbs); a float32 image input needs exactly one
// NormalizationOptions there. The legacy files in @mediapipe/face_detection have none, so the
// Tasks API refuses them. This module builds that flatbuffer and splices it into the model
// without touching a weight: the original file is kept byte for byte behind a new root table
// (flatbuffer offsets are relative, so the block can move), placed at a 64-byte boundary so
// every tensor buffer keeps the alignment it had. Deterministic: the same input gives the same
// bytes, so the manifest can pin the output's SHA-256.
//
// Field numbers are from tensorflow/lite/schema/schema.fbs (Model: version 0, operator_codes 1,
// subgraphs 2, description 3, buffers 4, metadata_buffer 5, metadata 6, signature_defs 7;
// Buffer: data 0, offset 1, size 2; Metadata: name 0, buffer 1) and metadata_schema.fbs.
import * as fb from 'flatbuffers';

export const METADATA_NAME = 'TFLITE_METADATA';
const TFLITE_ID = 'TFL3';
const METADATA_ID = 'M001';
/** Union tags in metadata_schema.fbs. */
const CONTENT_IMAGE_PROPERTIES = 2;
const PROCESS_UNIT_NORMALIZATION = 1;
const COLOR_SPACE = { RGB: 1, GRAYSCALE: 2 };

export class TfliteError extends Error {
  name = 'TfliteError';
}

/**
 * ModelMetadata for a model with one float image input and plain tensor outputs.
 * spec: { name, description, version, author, license, input: { name, description, colorSpace,
 * mean: number[], std: number[] }, outputs: [{ name, description }] }
 */
export function imageModelMetadata(spec) {
  const b = new fb.Builder(1024);
  const str = (s) => (s ? b.createString(s) : 0);
  const floats = (xs) => {
    b.startVector(4, xs.length, 4);
    for (let i = xs.length - 1; i >= 0; i--) b.addFloat32(xs[i]);
    return b.endVector();
  };
  const offsets = (os) => {
    b.startVector(4, os.length, 4);
    for (let i = os.length - 1; i >= 0; i--) b.addOffset(os[i]);
    return b.endVector();
  };
  const colorSpace = COLOR_SPACE[spec.input.colorSpace ?? 'RGB'];
  if (!colorSpace) throw new TfliteError(`unknown colour space ${spec.input.colorSpace}`);
  if (!spec.input.mean?.length || spec.input.mean.length !== spec.input.std?.length) throw new TfliteError('normalisation needs mean and std of the same length');

  // ImageProperties { color_space }
  b.startObject(2);
  b.addFieldInt8(0, colorSpace, 0);
  const imageProps = b.endObject();
  // Content { content_properties_type, content_properties }
  b.startObject(3);
  b.addFieldInt8(0, CONTENT_IMAGE_PROPERTIES, 0);
  b.addFieldOffset(1, imageProps, 0);
  const content = b.endObject();
  // NormalizationOptions { mean, std }
  const mean = floats(spec.input.mean);
  const std = floats(spec.input.std);
  b.startObject(2);
  b.addFieldOffset(0, mean, 0);
  b.addFieldOffset(1, std, 0);
  const norm = b.endObject();
  // ProcessUnit { options_type, options }
  b.startObject(2);
  b.addFieldInt8(0, PROCESS_UNIT_NORMALIZATION, 0);
  b.addFieldOffset(1, norm, 0);
  const unit = b.endObject();
  const units = offsets([unit]);

  const tensor = (t, extra) => {
    const name = str(t.name);
    const description = str(t.description);
    b.startObject(7);
    if (name) b.addFieldOffset(0, name, 0);
    if (description) b.addFieldOffset(1, description, 0);
    extra?.();
    return b.endObject();
  };
  const input = tensor(spec.input, () => {
    b.addFieldOffset(3, content, 0);
    b.addFieldOffset(4, units, 0);
  });
  const outputs = (spec.outputs ?? []).map((o) => tensor(o));
  const inputs = offsets([input]);
  const outputList = offsets(outputs);
  // SubGraphMetadata { input_tensor_metadata 2, output_tensor_metadata 3 }
  b.startObject(7);
  b.addFieldOffset(2, inputs, 0);
  b.addFieldOffset(3, outputList, 0);
  const subgraph = b.endObject();
  const subgraphs = offsets([subgraph]);

  const name = str(spec.name);
  const description = str(spec.description);
  const version = str(spec.version);
  const author = str(spec.author);
  const license = str(spec.license);
  // The fields written here all exist since schema 1.0.0.
  const minParser = str('1.0.0');
  // ModelMetadata { name 0, description 1, version 2, subgraph_metadata 3, author 4, license 5, min_parser_version 7 }
  b.startObject(8);
  if (name) b.addFieldOffset(0, name, 0);
  if (description) b.addFieldOffset(1, description, 0);
  if (version) b.addFieldOffset(2, version, 0);
  b.addFieldOffset(3, subgraphs, 0);
  if (author) b.addFieldOffset(4, author, 0);
  if (license) b.addFieldOffset(5, license, 0);
  b.addFieldOffset(7, minParser, 0);
  const root = b.endObject();
  b.finish(root, METADATA_ID);
  return b.asUint8Array().slice();
}

// ---- reading a .tflite ----

function reader(bytes) {
  const bb = new fb.ByteBuffer(bytes);
  const within = (pos, len, what) => {
    if (pos < 0 || pos + len > bytes.length) throw new TfliteError(`${what} lies outside the file`);
  };
  /** Absolute position of a table field, or 0 when the field is absent. */
  const field = (table, slot) => {
    within(table, 4, 'table');
    const vtable = table - bb.readInt32(table);
    within(vtable, 4, 'vtable');
    const o = 4 + 2 * slot < bb.readUint16(vtable) ? bb.readUint16(vtable + 4 + 2 * slot) : 0;
    return o ? table + o : 0;
  };
  const target = (pos) => {
    const t = pos + bb.readUint32(pos);
    within(t, 4, 'reference');
    return t;
  };
  const tables = (vectorPos) => {
    const len = bb.readUint32(vectorPos);
    within(vectorPos + 4, 4 * len, 'vector');
    return Array.from({ length: len }, (_, i) => target(vectorPos + 4 + 4 * i));
  };
  const string = (pos) => {
    const len = bb.readUint32(pos);
    within(pos + 4, len, 'string');
    return new TextDecoder().decode(bytes.subarray(pos + 4, pos + 4 + len));
  };
  return { bb, field, target, tables, string };
}

/** The root Model table's fields: what the splice needs to rebuild it. */
export function readModel(bytes) {
  if (bytes.length < 16 || String.fromCharCode(...bytes.subarray(4, 8)) !== TFLITE_ID) throw new TfliteError('not a TFLite model (no TFL3 identifier)');
  const r = reader(bytes);
  const root = r.bb.readUint32(0);
  const ref = (slot) => {
    const f = r.field(root, slot);
    return f ? r.target(f) : null;
  };
  const versionField = r.field(root, 0);
  const buffersPos = ref(4);
  if (buffersPos === null) throw new TfliteError('model has no buffers');
  const buffers = r.tables(buffersPos);
  for (const [i, t] of buffers.entries()) {
    // Buffers stored outside the flatbuffer (models over 2 GB) are addressed from the file start: they would move.
    const offset = r.field(t, 1);
    if (offset && r.bb.readUint64(offset) > 1n) throw new TfliteError(`buffer ${i} is stored outside the flatbuffer`);
  }
  const metadataPos = ref(6);
  const metadata = (metadataPos === null ? [] : r.tables(metadataPos)).map((t) => {
    const name = r.field(t, 0);
    const buffer = r.field(t, 1);
    return { table: t, name: name ? r.string(r.target(name)) : '', buffer: buffer ? r.bb.readUint32(buffer) : 0 };
  });
  const descriptionPos = ref(3);
  return {
    version: versionField ? r.bb.readUint32(versionField) : 0,
    operatorCodes: ref(1),
    subgraphs: ref(2),
    description: descriptionPos === null ? '' : r.string(descriptionPos),
    buffers,
    metadataBuffer: ref(5),
    metadata,
    signatureDefs: ref(7),
  };
}

/** The bytes of the metadata entry `name` (e.g. TFLITE_METADATA), or null. */
export function metadataBytes(bytes, name = METADATA_NAME) {
  const model = readModel(bytes);
  const entry = model.metadata.find((m) => m.name === name);
  if (!entry) return null;
  const r = reader(bytes);
  const table = model.buffers[entry.buffer];
  if (table === undefined) throw new TfliteError(`metadata ${name} names buffer ${entry.buffer}, which does not exist`);
  const data = r.field(table, 0);
  if (!data) return new Uint8Array(0);
  const vec = r.target(data);
  const len = r.bb.readUint32(vec);
  return bytes.subarray(vec + 4, vec + 4 + len);
}

// ---- writing ----

class Writer {
  constructor() {
    this.bytes = [];
  }
  get pos() {
    return this.bytes.length;
  }
  align(n, shift = 0) {
    while ((this.pos + shift) % n !== 0) this.bytes.push(0);
  }
  u8s(arr) {
    for (const v of arr) this.bytes.push(v);
  }
  u16(v) {
    this.bytes.push(v & 0xff, (v >>> 8) & 0xff);
  }
  u32(v) {
    this.bytes.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }
  /** Reserves a 4-byte slot to be filled in later. */
  slot() {
    const at = this.pos;
    this.u32(0);
    return at;
  }
  set32(at, v) {
    this.bytes[at] = v & 0xff;
    this.bytes[at + 1] = (v >>> 8) & 0xff;
    this.bytes[at + 2] = (v >>> 16) & 0xff;
    this.bytes[at + 3] = (v >>> 24) & 0xff;
  }
}

/** Where the original file starts in the output: a multiple of this keeps every buffer's alignment. */
const BLOCK_ALIGN = 64;

/**
 * The model with `metadata` stored as its TFLITE_METADATA entry and `description` as its
 * description. The original bytes follow unchanged; only a new root table, the new buffer and
 * the two lists that grow (buffers, metadata) are written in front of them.
 */
export function withMetadata(model, metadata, { description } = {}) {
  const m = readModel(model);
  if (m.metadata.some((e) => e.name === METADATA_NAME)) throw new TfliteError(`model already has ${METADATA_NAME}`);
  if (String.fromCharCode(...metadata.subarray(4, 8)) !== METADATA_ID) throw new TfliteError('metadata is not a ModelMetadata flatbuffer (no M001 identifier)');

  const w = new Writer();
  w.u32(0); // root offset, set below
  w.u8s([...TFLITE_ID].map((c) => c.charCodeAt(0)));
  // Every reference into the original is fixed up once its final place (after this section) is known.
  const toOriginal = []; // [slot, position in the original]
  const toHere = []; // [slot, position in this section]

  // Root vtable: all eight Model fields, each a 4-byte slot after the soffset.
  const FIELDS = 8;
  const vtable = w.pos;
  const present = [true, m.operatorCodes !== null, m.subgraphs !== null, true, true, m.metadataBuffer !== null, true, m.signatureDefs !== null];
  w.u16(4 + 2 * FIELDS);
  w.u16(4 + 4 * FIELDS);
  for (let i = 0; i < FIELDS; i++) w.u16(present[i] ? 4 + 4 * i : 0);
  w.align(4);
  const root = w.pos;
  w.set32(0, root);
  w.u32(root - vtable); // soffset to the vtable (int32, positive: the vtable is before)
  w.u32(m.version);
  const original = (pos) => {
    const at = w.slot();
    if (pos !== null) toOriginal.push([at, pos]);
  };
  original(m.operatorCodes);
  original(m.subgraphs);
  const descriptionSlot = w.slot();
  const buffersSlot = w.slot();
  original(m.metadataBuffer);
  const metadataSlot = w.slot();
  original(m.signatureDefs);

  const string = (s) => {
    const at = w.pos;
    const enc = new TextEncoder().encode(s);
    w.u32(enc.length);
    w.u8s(enc);
    w.u8s([0]);
    w.align(4);
    return at;
  };
  toHere.push([descriptionSlot, string(description ?? m.description)]);

  // buffers: the original ones, then ours.
  const newBufferIndex = m.buffers.length;
  toHere.push([buffersSlot, w.pos]);
  w.u32(m.buffers.length + 1);
  for (const t of m.buffers) original(t);
  const newBufferSlot = w.slot();

  // metadata: the original entries, then ours.
  toHere.push([metadataSlot, w.pos]);
  w.u32(m.metadata.length + 1);
  for (const e of m.metadata) original(e.table);
  const newMetadataSlot = w.slot();

  // Buffer { data }
  const bufferVtable = w.pos;
  w.u16(6);
  w.u16(8);
  w.u16(4);
  w.align(4);
  const bufferTable = w.pos;
  toHere.push([newBufferSlot, bufferTable]);
  w.u32(bufferTable - bufferVtable);
  const dataSlot = w.slot();

  // Metadata { name, buffer }
  const metaVtable = w.pos;
  w.u16(8);
  w.u16(12);
  w.u16(4);
  w.u16(8);
  const metaTable = w.pos;
  toHere.push([newMetadataSlot, metaTable]);
  w.u32(metaTable - metaVtable);
  const nameSlot = w.slot();
  w.u32(newBufferIndex);
  toHere.push([nameSlot, string(METADATA_NAME)]);

  // The metadata bytes, 16-byte aligned like every Buffer.data (force_align: 16).
  w.align(16, 4);
  toHere.push([dataSlot, w.pos]);
  w.u32(metadata.length);
  w.u8s(metadata);
  w.align(BLOCK_ALIGN);

  const start = w.pos;
  for (const [at, pos] of toHere) w.set32(at, pos - at);
  for (const [at, pos] of toOriginal) w.set32(at, start + pos - at);
  const out = new Uint8Array(start + model.length);
  out.set(w.bytes, 0);
  out.set(model, start);
  return out;
}
