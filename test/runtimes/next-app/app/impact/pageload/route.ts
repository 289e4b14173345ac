import { impactRelay } from '../../../lib/impact-relay'

export const POST = (request: Request): Promise<Response> => impactRelay()(request)
export const OPTIONS = POST
