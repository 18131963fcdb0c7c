export * from './fileStorage.js'
export * from './localDisk.js'
export * from './imageType.js'
