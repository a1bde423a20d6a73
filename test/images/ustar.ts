// A minimal POSIX ustar writer: enough to hand dockerd a build context or a
// root filesystem without a tar dependency. Regular files, directories and
// symlinks; names up to 100 bytes (no prefix splitting), mtime fixed at 0 so
// the same entries always give the same bytes (and the same image layers).

export type TarEntry =
  | { type: 'file'; name: string; content: Buffer | string; mode?: number }
  | { type: 'directory'; name: string; mode?: number }
  | { type: 'symlink'; name: string; target: string };

const BLOCK = 512;

function writeString(header: Buffer, offset: number, length: number, value: string, field: string, name: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new Error(`tar: ${field} of "${name}" is longer than ${length} bytes`);
  bytes.copy(header, offset);
}

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  // length - 1 octal digits, then NUL.
  const digits = value.toString(8).padStart(length - 1, '0');
  if (digits.length > length - 1) throw new Error(`tar: value ${value} does not fit in ${length - 1} octal digits`);
  header.write(`${digits}\0`, offset, length, 'ascii');
}

function headerFor(entry: TarEntry, size: number): Buffer {
  const header = Buffer.alloc(BLOCK);
  const name = entry.type === 'directory' && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name;
  const defaultMode = entry.type === 'file' ? 0o644 : entry.type === 'directory' ? 0o755 : 0o777;
  const mode = entry.type === 'symlink' ? 0o777 : entry.mode ?? defaultMode;
  writeString(header, 0, 100, name, 'name', entry.name);
  writeOctal(header, 100, 8, mode);
  writeOctal(header, 108, 8, 0); // uid
  writeOctal(header, 116, 8, 0); // gid
  writeOctal(header, 124, 12, size);
  writeOctal(header, 136, 12, 0); // mtime
  header.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  header.write(entry.type === 'file' ? '0' : entry.type === 'directory' ? '5' : '2', 156, 1, 'ascii');
  if (entry.type === 'symlink') writeString(header, 157, 100, entry.target, 'symlink target', entry.name);
  header.write('ustar\0', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  writeString(header, 265, 32, 'root', 'uname', entry.name);
  writeString(header, 297, 32, 'root', 'gname', entry.name);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return header;
}

/** Packs the entries, in order, into an uncompressed ustar archive. */
export function packTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const content = entry.type === 'file'
      ? (typeof entry.content === 'string' ? Buffer.from(entry.content, 'utf8') : entry.content)
      : Buffer.alloc(0);
    parts.push(headerFor(entry, content.length), content);
    const padding = (BLOCK - (content.length % BLOCK)) % BLOCK;
    if (padding > 0) parts.push(Buffer.alloc(padding));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
