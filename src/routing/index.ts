/** Routers of the supervisor: which worker gets an item. */
export type { Router, RouteWorker } from './router.ts'
export { roundRobin, type RoundRobinOptions } from './roundRobin.ts'
export { leastLoaded } from './leastLoaded.ts'
export { byKey, hashKey, ownerOf, type RouteKey } from './byKey.ts'
