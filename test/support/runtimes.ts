/**
 * The server runtimes the relay is proven on (test/runtimes/): installed from their own lockfile
 * into a cache folder outside the repository (kept between runs, keyed by the lockfile, so the
 * root's `npm ci` stays light), with the packed package unpacked into it on every run.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { pack } from './pack'

const SOURCE = resolve('test/runtimes')

/** The prepared folder: `node_modules` with every runtime and the packed package. */
export interface Runtimes {
  dir: string
  /** A command line of the folder's node_modules/.bin. */
  bin(name: string): string
}

/** Installs the runtimes when their lockfile changed, then unpacks the package built just now. */
export function prepareRuntimes(): Runtimes {
  const lock = readFileSync(join(SOURCE, 'package-lock.json'))
  const key = createHash('sha256').update(lock).digest('hex').slice(0, 16)
  const cache = process.env.IMPACT_RUNTIMES_CACHE ?? join(homedir(), '.cache', 'analytics-plugin-impact')
  const dir = join(cache, `runtimes-${key}`)
  const installed = join(dir, 'node_modules', '.installed')
  if (!existsSync(installed)) {
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    for (const file of ['package.json', 'package-lock.json']) cpSync(join(SOURCE, file), join(dir, file))
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'pipe' })
    writeFileSync(installed, new Date().toISOString())
  }
  for (const part of ['servers', 'next-app']) {
    rmSync(join(dir, part), { recursive: true, force: true })
    cpSync(join(SOURCE, part), join(dir, part), { recursive: true })
  }
  const target = join(dir, 'node_modules', 'analytics-plugin-impact')
  rmSync(target, { recursive: true, force: true })
  mkdirSync(target)
  const packed = pack()
  try {
    execFileSync('tar', ['-xzf', packed.tarball, '-C', target, '--strip-components=1'])
  } finally {
    packed.remove()
  }
  return { dir, bin: (name) => join(dir, 'node_modules', '.bin', name) }
}

/** A server process, started and ready (it printed `ready`, or answers HTTP on its port). */
export interface RunningServer {
  url: string
  /** What it printed so far, for a failure's message. */
  output(): string
  stop(): Promise<void>
}

/**
 * Starts `command` in `cwd` with `env`, and waits until it is ready: it prints `ready`, or (`next
 * start`) its port answers. Fails after `timeoutMs` with everything it printed.
 */
export async function startServer(options: {
  command: string
  args: string[]
  cwd: string
  env: Record<string, string>
  port: number
  timeoutMs?: number
}): Promise<RunningServer> {
  const { port } = options
  const child: ChildProcess = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const url = `http://127.0.0.1:${port}`
  const stop = (): Promise<void> =>
    new Promise((done) => {
      if (child.exitCode !== null) return done()
      child.once('exit', () => done())
      child.kill('SIGTERM')
      setTimeout(() => child.kill('SIGKILL'), 3000).unref()
    })
  const deadline = Date.now() + (options.timeoutMs ?? 60_000)
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${options.command} exited ${child.exitCode}:\n${output}`)
    if (/\bready\b/i.test(output) && (await answers(url))) return { url, output: () => output, stop }
    await new Promise((r) => setTimeout(r, 200))
  }
  await stop()
  throw new Error(`${options.command} ${options.args.join(' ')} was not ready in time:\n${output}`)
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/impact/conversions`, { method: 'OPTIONS', signal: AbortSignal.timeout(2000) })
    return true
  } catch {
    return false
  }
}

/** Runs a command to its end; resolves with what it printed, rejects with it on a non-zero exit. */
export function runToEnd(options: {
  command: string
  args: string[]
  cwd: string
  env: Record<string, string>
  timeoutMs: number
}): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      if (code === 0) done(output)
      else fail(new Error(`${options.command} ${options.args.join(' ')} exited ${code}:\n${output}`))
    })
  })
}
