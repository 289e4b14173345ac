import nodeResolve from '@rollup/plugin-node-resolve'
import terser from '@rollup/plugin-terser'
import typescript from '@rollup/plugin-typescript'

const ts = (declarations) =>
  typescript({
    tsconfig: './tsconfig.json',
    compilerOptions: {
      rootDir: 'src',
      outDir: 'dist',
      declaration: declarations,
      ...(declarations ? { declarationDir: 'dist' } : {}),
      declarationMap: false,
      sourceMap: false,
    },
  })

export default [
  // npm: ESM + CJS + .d.ts for the plugin and the relay. js-cookie stays a dependency and
  // analytics-next is only a (type) peer.
  {
    input: { index: 'src/index.ts', relay: 'src/relay/index.ts' },
    external: ['js-cookie', /^@segment\//, /^node:/],
    plugins: [ts(true)],
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
  // CDN: one IIFE with js-cookie bundled; the global is the factory itself.
  {
    input: 'src/cdn.ts',
    plugins: [nodeResolve({ browser: true }), ts(false)],
    output: {
      file: 'dist/impact-partnership-cloud.min.js',
      format: 'iife',
      name: 'ImpactPartnershipCloud',
      exports: 'default',
      plugins: [terser({ ecma: 2020, compress: { passes: 3 }, format: { comments: false } })],
    },
  },
]
