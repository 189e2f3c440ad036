export const paths: { readonly manifest: string; readonly weights: string; readonly cache: string };
export function extractFromTar(tar: Uint8Array, wanted: ReadonlySet<string>): Map<string, Buffer>;
export function derive(model: object, original: Uint8Array, spec?: string): Buffer;
export function provisionModels(options?: { check?: boolean; log?: (message: string) => void }): Promise<{ file: string; status: 'ok' | 'written' }[]>;
export function fetchTarball(spec: string, pkg: { readonly name: string; readonly version: string; readonly integrity: string }, log?: (message: string) => void): Promise<Buffer>;
