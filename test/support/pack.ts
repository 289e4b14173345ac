/**
 * Packs the built package as `npm publish` would (after `npm run build`), into a temporary
 * folder, for tests that check what users install.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** One `npm pack --json` result. */
export interface Packed {
  /** Absolute path of the tarball. */
  tarball: string
  size: number
  unpackedSize: number
  files: { path: string; size: number }[]
  /** Removes the temporary folder. */
  remove(): void
}

/** `npm pack` without lifecycle scripts (the build already ran), quietly. */
export function pack(): Packed {
  const dir = mkdtempSync(join(tmpdir(), 'impact-pack-'))
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  const [info] = JSON.parse(out) as { filename: string; size: number; unpackedSize: number; files: Packed['files'] }[]
  if (!info) throw new Error(`npm pack printed no result: ${out}`)
  return { ...info, tarball: join(dir, info.filename), remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Runs a dev dependency's command line; resolves with its output, rejects with it on a non-zero exit. */
export function run(bin: string, args: string[], cwd?: string): string {
  try {
    return execFileSync(join(process.cwd(), 'node_modules/.bin', bin), args, { encoding: 'utf8', cwd, stdio: 'pipe' })
  } catch (e) {
    const { stdout = '', stderr = '' } = e as { stdout?: string; stderr?: string }
    throw new Error(`${bin} ${args.join(' ')} failed:\n${stdout}${stderr}`, { cause: e })
  }
}
