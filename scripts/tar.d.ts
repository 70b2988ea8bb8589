// Types of scripts/tar.js for the TypeScript tests.
export interface TarFile {
  name: string;
  data: Buffer;
}
export function tarFiles(archive: Buffer): TarFile[];
