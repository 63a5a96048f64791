// s3rver-run.js - start @20minutes/s3rver (installed by .ci/run in
// tests/s3/node_modules-dir) on loopback for the tests: its data in DIR,
// the buckets named created empty, the port it listens on written to
// PORTFILE once it listens.  Stopped by its PID (SIGTERM).
// Usage: node s3rver-run.js MODULEDIR DIR PORTFILE BUCKET...
'use strict';

const fs = require('fs');
const path = require('path');

const [moduleDir, dir, portFile, ...buckets] = process.argv.slice(2);
const S3rver = require(path.join(moduleDir, 'node_modules/@20minutes/s3rver'));

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: dir,
  // The keys s3rver accepts: S3RVER / S3RVER.
  configureBuckets: buckets.map((name) => ({ name, configs: [] })),
});
server.run().then((addr) => {
  fs.writeFileSync(portFile + '.tmp', String(addr.port) + '\n');
  fs.renameSync(portFile + '.tmp', portFile);
}, (err) => {
  process.stderr.write('s3rver: ' + err.message + '\n');
  process.exit(1);
});
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
