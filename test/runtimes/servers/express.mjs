// Express 5: the relay mounted before any body parser (it reads the raw body itself).
import express from 'express'
import { createImpactRelay, toNodeListener } from 'analytics-plugin-impact/relay'
import { relayOptions } from './shop.mjs'

const app = express()
app.all(['/impact/conversions', '/impact/pageload'], toNodeListener(createImpactRelay(relayOptions(process.env))))
app.use(express.json(), express.urlencoded()) // the rest of the app's routes parse bodies after it
app.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('ready'))
