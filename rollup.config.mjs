import { readFileSync } from 'node:fs'
import nodeResolve from '@rollup/plugin-node-resolve'
import terser from '@rollup/plugin-terser'
import typescript from '@rollup/plugin-typescript'
import { dts } from 'rollup-plugin-dts'

const { version } = JSON.parse(readFileSync('package.json', 'utf8'))

/** Puts package.json's version where src/version.ts names `__PACKAGE_VERSION__` (vitest does the same). */
const packageVersion = () => ({
  name: 'package-version',
  transform: (code) =>
    code.includes('__PACKAGE_VERSION__') ? code.replace(/__PACKAGE_VERSION__/g, JSON.stringify(version)) : null,
})

const ts = () =>
  typescript({
    tsconfig: './tsconfig.json',
    compilerOptions: { rootDir: 'src', outDir: 'dist', declaration: false, declarationMap: false, sourceMap: false },
  })

/**
 * Property names of the plugin's own in-memory objects, shortened in the CDN bundle (-82 B
 * min+gzip). Listed one by one, never by pattern: a name the DOM, Segment (plugin and settings
 * objects), storage (outbox items and sent keys are JSON in localStorage, the click session a
 * cookie), fetch or a user setting uses must keep its name (Impact's `clickId` answer is read by
 * a string path, so the plugin's own `clickId` properties are shortened).
 * Terser's list of DOM properties does not protect the listed ones (`builtins: true`): `session`,
 * `unique`, `start` and `adopt` are the plugin's own here. The e2e tests run this bundle.
 */
const INTERNAL_PROPERTIES = new RegExp(
  `^(?:${[
    'admit',
    'adopt',
    'analytics',
    'authorization',
    'back',
    'categories',
    'click',
    'clickId',
    'clock',
    'converts',
    'customerEmail',
    'delivery',
    'deps',
    'due',
    'email',
    'fetch',
    'fields',
    'finalBody',
    'flush',
    'forget',
    'framedBy',
    'gate',
    'gated',
    'heldClickId',
    'install',
    'isEmpty',
    'items',
    'landing',
    'last',
    'leave',
    'lock',
    'managed',
    'onLateGating',
    'outbox',
    'pageLoad',
    'pageLoadUrl',
    'pageLoads',
    'peek',
    'persist',
    'previousUrl',
    'raw',
    'reason',
    'referrerHost',
    'retryAfterMs',
    'save',
    'send',
    'sendConversion',
    'sendPageLoad',
    'sending',
    'sent',
    'sentFallback',
    'session',
    'sessionStorage',
    'setTimeout',
    'siteDomain',
    'start',
    'storage',
    'store',
    'storedClickId',
    'stores',
    'target',
    'tracker',
    'unique',
    'update',
    'url',
    'urlClickId',
    'windowMs',
    'withheld',
  ].join('|')})$`,
)

/**
 * js-cookie's API without `withAttributes` and `withConverter`, which the plugin never calls, in
 * the CDN bundle only (-79 B min+gzip; the npm build imports js-cookie whole). The plugin reads and
 * writes through `set`, `get` and `remove` alone. The build fails if js-cookie's source no longer
 * has the expected shape, so an update cannot quietly keep (or break) them.
 */
const jsCookieUsedParts = () => ({
  name: 'js-cookie-used-parts',
  transform(code, id) {
    if (!/[\\/]js-cookie[\\/]/.test(id)) return null
    const unused =
      /,\s*withAttributes: function[\s\S]*?\n {4}\},\s*\{\s*attributes: \{[^}]*\},\s*converter: \{[^}]*\}\s*\}/
    if (!unused.test(code) || !code.includes('return Object.create('))
      throw new Error('js-cookie changed: review jsCookieUsedParts')
    return { code: code.replace(unused, '\n    }').replace('return Object.create(', 'return ('), map: null }
  },
})

const ENTRIES = { index: 'src/index.ts', relay: 'src/relay/index.ts', server: 'src/server/index.ts' }

export default [
  // npm: ESM + CJS for the plugin and the relay. js-cookie stays a dependency and analytics-next
  // is only a (type) peer.
  {
    input: ENTRIES,
    external: ['js-cookie', /^@segment\//, /^node:/],
    plugins: [packageVersion(), ts()],
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'shared/[name].mjs' },
      {
        dir: 'dist',
        format: 'cjs',
        entryFileNames: '[name].cjs',
        chunkFileNames: 'shared/[name].cjs',
        exports: 'named',
      },
    ],
  },
  // Types: one self-contained declaration file per entry and module system (.d.mts beside the
  // .mjs, .d.cts beside the .cjs), so every resolver (node10, node16 CJS and ESM, bundler) reads
  // types in the module system of the file it loads, and no declaration imports a sibling.
  ...['mts', 'cts'].map((ext) => ({
    input: ENTRIES,
    external: ['js-cookie', /^@segment\//, /^node:/],
    plugins: [dts({ tsconfig: './tsconfig.json', compilerOptions: { rootDir: 'src' } })],
    output: { dir: 'dist', entryFileNames: `[name].d.${ext}`, chunkFileNames: `shared/[name]-[hash].d.${ext}` },
  })),
  // CDN: one IIFE with js-cookie bundled; the global is the factory itself.
  {
    input: 'src/cdn.ts',
    plugins: [packageVersion(), nodeResolve({ browser: true }), jsCookieUsedParts(), ts()],
    output: {
      file: 'dist/impact-partnership-cloud.min.js',
      format: 'iife',
      name: 'ImpactPartnershipCloud',
      exports: 'default',
      plugins: [
        terser({
          ecma: 2020,
          // Measured on the bundle: hoist_funs -41 B min+gzip, unsafe_methods -8 B (methods are
          // never constructed), unsafe_comps -4 B (no comparison here relies on NaN); passes 2
          // beats 3 since the consent gate (-21 B). Not toplevel: it drops the global itself.
          compress: { passes: 2, inline: 1, hoist_funs: true, unsafe_methods: true, unsafe_comps: true },
          mangle: { properties: { regex: INTERNAL_PROPERTIES, builtins: true } },
          // V8's explicit compile hint (Chrome 136+): the whole file is compiled while it streams, on
          // a background thread, instead of function by function on the page's main thread the first
          // time each runs (measured: about half the plugin's main-thread time on a landing). Most
          // of the file runs on every page view, so little is compiled in vain (+19 B min+gzip).
          // https://v8.dev/blog/explicit-compile-hints . Other engines read it as a comment.
          format: { comments: false, preamble: '//# allFunctionsCalledOnLoad' },
        }),
      ],
    },
  },
]
