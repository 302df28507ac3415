// Speaks one line through a server with the official OpenAI Node client (the serve tests run this).
// usage: node openai-speech.mjs BASE_URL MODEL VOICE FORMAT OUT_FILE TEXT
// exit 0: audio written; exit 3: the server refused (status and message on stderr).
import { writeFile } from 'node:fs/promises';
import OpenAI from 'openai';

const [baseUrl, model, voice, format, outFile, text] = process.argv.slice(2);
const client = new OpenAI({ baseURL: new URL('v1', baseUrl).href, apiKey: process.env.VENTRILOQUIST_API_KEY ?? 'none', maxRetries: 0 });
try {
  const response = await client.audio.speech.create({ model, voice, input: text, response_format: format });
  await writeFile(outFile, Buffer.from(await response.arrayBuffer()));
} catch (e) {
  if (e instanceof OpenAI.APIError) {
    console.error(`status ${e.status}: ${e.message}`);
    process.exit(3);
  }
  throw e;
}
