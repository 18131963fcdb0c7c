import { z } from 'zod'
import { userView } from '../presenters/user.js'

/** A wx.login / getPhoneNumber code: a short opaque ASCII string. */
const wechatCode = z.string().trim().min(1, '缺少 code').max(256).regex(/^[\x21-\x7e]+$/, 'code 格式有误')

export const loginBody = z.object({ code: wechatCode })
export const loginSchema = z.object({ body: loginBody })

export const phoneBody = z.object({ code: wechatCode })
export const phoneSchema = z.object({ body: phoneBody })

export const refreshBody = z.object({ refreshToken: z.string().min(10).max(4096) })
export const refreshSchema = z.object({ body: refreshBody })

export const tokenResponse = z.object({
  token: z.string(),
  refreshToken: z.string(),
  /** seconds until `token` expires */
  expiresIn: z.number().int(),
  user: userView,
})
