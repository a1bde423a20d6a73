import { PGlite } from '@electric-sql/pglite';
import { writeFileSync } from 'node:fs';
const db = await PGlite.create();
const blob = await db.dumpDataDir('gzip');
const buf = Buffer.from(await blob.arrayBuffer());
writeFileSync('/tmp/cs-work/template.tar.gz', buf);
console.log('size', buf.length, blob.type, blob.name);
await db.close();
