export const METADATA_NAME: 'TFLITE_METADATA';
export class TfliteError extends Error {}
export interface ImageModelSpec {
  readonly name?: string;
  readonly description?: string;
  readonly version?: string;
  readonly author?: string;
  readonly license?: string;
  readonly input: { readonly name?: string; readonly description?: string; readonly colorSpace?: 'RGB' | 'GRAYSCALE'; readonly mean: readonly number[]; readonly std: readonly number[] };
  readonly outputs?: readonly { readonly name?: string; readonly description?: string }[];
}
export function imageModelMetadata(spec: ImageModelSpec): Uint8Array;
export interface TfliteModel {
  readonly version: number;
  readonly operatorCodes: number | null;
  readonly subgraphs: number | null;
  readonly description: string;
  readonly buffers: readonly number[];
  readonly metadataBuffer: number | null;
  readonly metadata: readonly { readonly table: number; readonly name: string; readonly buffer: number }[];
  readonly signatureDefs: number | null;
}
export function readModel(bytes: Uint8Array): TfliteModel;
export function metadataBytes(bytes: Uint8Array, name?: string): Uint8Array | null;
export function withMetadata(model: Uint8Array, metadata: Uint8Array, options?: { description?: string }): Uint8Array;
