import { z } from 'zod'
import { registerRoute } from '../../openapi.js'
import { createRequestBody, jurisdictionQuery, listRequestsQuery } from './schema.js'

const tags = ['open311']
const request = z.object({
  service_request_id: z.string(), status: z.enum(['open', 'closed']), status_notes: z.string(), service_name: z.string(), service_code: z.string(),
  description: z.string(), agency_responsible: z.string(), service_notice: z.string().nullable(), requested_datetime: z.string(),
  updated_datetime: z.string(), expected_datetime: z.string().nullable(), address: z.string().nullable(),
  address_id: z.null(), zipcode: z.null(), lat: z.null(), long: z.null(), media_url: z.null(),
})
const note = 'Open311 GeoReport v2 (JSON). Errors are an array of {code, description}, not the API\'s {"error":…} object.'

export function registerOpen311Docs(prefix: string) {
  registerRoute({
    method: 'get', path: `${prefix}/services.json`, summary: 'Our request categories as Open311 services', tags, auth: 'none', description: note,
    response: z.array(z.object({ service_code: z.string(), service_name: z.string(), description: z.string(), metadata: z.boolean(), type: z.string(), keywords: z.string(), group: z.string() })),
  })
  registerRoute({
    method: 'get', path: `${prefix}/requests.json`, summary: 'Public list of requests (no names, phones or rooms; at most 1000, at most 90 days)', tags, auth: 'none',
    description: note, query: listRequestsQuery, response: z.array(request), errors: [404],
  })
  registerRoute({
    method: 'get', path: `${prefix}/requests/:id.json`, summary: 'One request by its number, as a one-item array', tags, auth: 'none',
    description: note, query: jurisdictionQuery, response: z.array(request), errors: [404],
  })
  registerRoute({
    method: 'post', path: `${prefix}/requests.json`, summary: 'File a request from a city platform (api_key required)', tags, auth: 'apiKey',
    description: `${note} Form-encoded per the spec; JSON accepted. address_string names the building (e.g. 3号楼) for routing.`,
    body: createRequestBody.extend({ api_key: z.string() }), bodyType: 'application/x-www-form-urlencoded',
    response: z.array(z.object({ service_request_id: z.string(), service_notice: z.string(), account_id: z.null() })), errors: [403, 404, 413, 429],
  })
}
