import { randomUUID } from 'node:crypto'
import type Router from '@koa/router'
import { Attachment, ServiceRequest } from '../../../src/db/entities/index.js'
import { inTransaction } from '../../../src/db/transaction.js'
import { DomainError, NotFoundError } from '../../../src/errors.js'
import { IMAGE_TYPES, sniffImageType } from '../../../src/storage/index.js'
import { depsOf, principalOf } from '../../deps.js'
import { requireAuth } from '../../middleware/auth.js'
import { readMultipart } from '../../middleware/body.js'
import { rateLimit } from '../../middleware/rateLimit.js'
import { inputOf, validate } from '../../middleware/validate.js'
import { registerRoute } from '../../openapi.js'
import { canViewPhoto, reporterIdsOf, viewerOf } from '../../policies.js'
import { presentPhoto } from '../../presenters/photo.js'
import { getPhotoSchema, MAX_PHOTO_BYTES, MAX_PHOTOS, uploadBody, uploadResponse } from './schema.js'

const pad = (n: number) => String(n).padStart(2, '0')

export function photoRoutes(router: Router): void {
  registerRoute({
    method: 'post', path: '/api/photos', summary: 'Upload photos (multipart; jpeg/png/webp by content, ≤ 5 MB each, ≤ 9); returns ids to reference in a request or resolution',
    tags: ['photos'], body: uploadBody, bodyType: 'multipart/form-data', response: uploadResponse, status: 201, errors: [413, 415, 429],
  })
  router.post('/api/photos', rateLimit(), requireAuth(), async (ctx) => {
    const deps = depsOf(ctx)
    const principal = principalOf(ctx)
    const now = deps.clock.now()
    // Each photo goes to storage as soon as it has arrived: the request never holds more than one in memory.
    const stored: { key: string; mime: string; size: number }[] = []
    try {
      await readMultipart(ctx, { maxBytes: MAX_PHOTOS * MAX_PHOTO_BYTES + 256 * 1024, maxFileBytes: MAX_PHOTO_BYTES, maxFiles: MAX_PHOTOS }, async (f, i) => {
        const mime = sniffImageType(f.data)
        if (!mime) throw new DomainError('unsupported_image_type', '只能上传 JPG、PNG 或 WebP 格式的图片', 415, { index: i })
        const key = `photos/${now.getUTCFullYear()}/${pad(now.getUTCMonth() + 1)}/${randomUUID()}.${IMAGE_TYPES[mime]}`
        await deps.storage.put(key, f.data, { contentType: mime })
        stored.push({ key, mime, size: f.data.length })
      })
      if (!stored.length) throw new DomainError('no_file', '请选择要上传的图片', 400)
      const uploader = principal.kind === 'staff' ? { uploaderType: 'staff' as const, uploaderId: principal.staffId } : { uploaderType: 'resident' as const, uploaderId: principal.residentId }
      const rows = await inTransaction(deps.db, (em) => em.save(Attachment, stored.map((f) => em.create(Attachment, {
        requestId: null, kind: 'image', storageKey: f.key, mime: f.mime, size: f.size, ...uploader, createdAt: now,
      }))))
      ctx.state.logger.info({ photos: rows.map((r) => r.id) }, 'photos uploaded')
      ctx.status = 201
      ctx.body = { items: rows.map(presentPhoto) }
    } catch (e) {
      await Promise.all(stored.map((f) => deps.storage.delete(f.key).catch(() => undefined)))
      throw e
    }
  })

  registerRoute({ method: 'get', path: '/api/photos/:id', summary: 'A photo, to those who may see its request (or its uploader)', tags: ['photos'], responseType: 'image/*', errors: [404] })
  router.get('/api/photos/:id', requireAuth(), validate(getPhotoSchema), async (ctx) => {
    const deps = depsOf(ctx)
    const { params } = inputOf(ctx, getPhotoSchema)
    const em = deps.db.manager
    const photo = await em.findOne(Attachment, { where: { id: params.id } })
    const request = photo?.requestId != null ? await em.findOne(ServiceRequest, { where: { id: photo.requestId } }) : null
    const viewer = await viewerOf(em, ctx)
    if (!photo || photo.kind !== 'image' || !canViewPhoto(viewer, photo, request, request ? await reporterIdsOf(em, request.id) : [])) {
      throw new NotFoundError('照片', 'photo_not_found')
    }
    const data = await deps.storage.get(photo.storageKey)
    if (!data) {
      ctx.state.logger.warn({ photoId: photo.id }, 'photo row without stored file')
      throw new NotFoundError('照片', 'photo_not_found')
    }
    ctx.set('Cache-Control', 'private, max-age=3600')
    ctx.set('X-Content-Type-Options', 'nosniff')
    ctx.type = photo.mime
    ctx.body = data
  })
}
