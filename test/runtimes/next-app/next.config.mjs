import { fileURLToPath } from 'node:url'

/** The runtimes folder is the project's root: its node_modules and the shared shop module. */
export default { turbopack: { root: fileURLToPath(new URL('..', import.meta.url)) } }
