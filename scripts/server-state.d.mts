export function ensurePrivateDir(dir: string): string;
export function writePrivateFile(file: string, text: string): void;
export function readPrivateJson(dir: string, name: string): unknown;
