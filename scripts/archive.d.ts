// Types of scripts/archive.js for the TypeScript tests.
export interface TarFile {
  name: string;
  data: Buffer;
}
export function tarFiles(archive: Buffer): TarFile[];
export function zipEntry(zip: Buffer, wanted: string): Buffer | undefined;
