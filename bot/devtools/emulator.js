#!/usr/bin/env node
/**
 * Bot API emulator for the end-to-end tests.
 *
 * Owns: running telegram-test-api's TelegramServer on 127.0.0.1 and closing the gaps that keep an
 * unmodified python-telegram-bot v22 bot from working against it: Bot API-shaped results
 * (getMe, Message dicts with dates in seconds, edits answering the edited Message), a long-polling
 * getUpdates with real `offset` semantics, media uploads (multipart) saved to disk, bot commands,
 * chat actions, and the Telegram checks that bots most often trip over in production (parse_mode
 * markup, message length, callback_data length, "message is not modified", blocked users).
 * It also owns the `/_test/*` routes that the Python test client (client.py) reads through.
 *
 * Does not own: conversations (client.py) or process management and npm installs (harness.py).
 *
 * Usage: node emulator.js [--port N] [--files DIR] [--quiet] [--flood-limit N]
 *   --flood-limit N answers 429 (retry_after 1) to a bot's send that would be its N+1st within
 *   one second, like Telegram's flood control (off by default); bench/burst.py uses it.
 *   --port 0 or no --port picks a free port. Exactly one line `READY <port>` goes to stdout once
 *   the server listens; everything else is logged to stderr. SIGTERM/SIGINT stop it cleanly.
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const busboy = require('busboy');
const TelegramServer = require('telegram-test-api');
const { routes } = require('telegram-test-api/lib/routes');
const { unknownMethod: stockUnknownMethod } = require('telegram-test-api/lib/routes/bot/unknownMethod');

const HOST = '127.0.0.1';
// PTB asks for timeout=10 by default; capping keeps a stuck poll from delaying shutdown.
const MAX_POLL_SECONDS = 10;
const MAX_TEST_WAIT_SECONDS = 30;
// The stock server deletes messages older than storeTimeout; tests must never lose history.
const STORE_TIMEOUT_SECONDS = 7 * 24 * 3600;
const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
const MAX_TEXT_LENGTH = 4096;
const MAX_CAPTION_LENGTH = 1024;
const USER_UPDATE_EVENT = 'e2e:userUpdate';
const BOT_MESSAGES_EVENT = 'e2e:botMessagesChanged';
const SHUTDOWN_EVENT = 'e2e:shutdown';
const NOT_MODIFIED = 'message is not modified: specified new message content and reply markup '
  + 'are exactly the same as a current content and reply markup of the message';

// PTB sends nested values of form-encoded requests as JSON strings; only these are decoded so
// that a text like "[1]" stays text.
const JSON_PARAMS = new Set([
  'reply_markup', 'entities', 'caption_entities', 'link_preview_options', 'reply_parameters',
  'commands', 'scope', 'allowed_updates', 'media', 'results', 'options', 'rights',
]);
const MEDIA_METHODS = {
  sendPhoto: 'photo',
  sendDocument: 'document',
  sendAudio: 'audio',
  sendVoice: 'voice',
  sendVideo: 'video',
  sendAnimation: 'animation',
  sendSticker: 'sticker',
};
const HTML_TAGS = new Set([
  'b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code',
  'pre', 'blockquote', 'tg-emoji',
]);
const MARKDOWN_V2_RESERVED = new Set('_*[]()~`>#+-=|{}.!');
const MIME_EXTENSIONS = {
  'image/png': '.png', 'image/jpeg': '.jpg', 'image/gif': '.gif', 'image/webp': '.webp',
  'application/pdf': '.pdf', 'text/plain': '.txt', 'audio/ogg': '.ogg', 'audio/mpeg': '.mp3',
  'video/mp4': '.mp4',
};

class ApiError extends Error {
  constructor(code, description, parameters = undefined) {
    super(description);
    this.code = code;
    this.parameters = parameters; // e.g. {retry_after: 1} with a 429
  }
}

const badRequest = (description) => new ApiError(400, `Bad Request: ${description}`);
const nowSeconds = () => Math.floor(Date.now() / 1000);
const byteOffset = (text, index) => Buffer.byteLength(text.slice(0, index));
const parseError = (detail) => badRequest(`can't parse entities: ${detail}`);

function parseArgs(argv) {
  const options = { port: 0, files: null, quiet: false, floodLimit: 0 };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--port') {
      options.port = Number(argv[(i += 1)]);
    } else if (arg === '--files') {
      options.files = argv[(i += 1)];
    } else if (arg === '--quiet') {
      options.quiet = true;
    } else if (arg === '--flood-limit') {
      options.floodLimit = Number(argv[(i += 1)]);
    } else {
      throw new Error(`unknown argument: ${arg}`);
    }
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new Error('--port needs an integer between 0 and 65535');
  }
  if (!Number.isInteger(options.floodLimit) || options.floodLimit < 0) {
    throw new Error('--flood-limit needs a whole number of messages per second (0: off)');
  }
  return options;
}

// ---------------------------------------------------------------------------------------------
// Text rendering: Telegram answers with the plain text (markup removed) or refuses bad markup.

function decodeHtmlEntity(match) {
  const named = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"' };
  if (named[match]) return named[match];
  const hex = /^&#x([0-9a-f]+);$/i.exec(match);
  if (hex) return String.fromCodePoint(parseInt(hex[1], 16));
  return String.fromCodePoint(parseInt(match.slice(2, -1), 10));
}

function renderHtml(source) {
  let out = '';
  const open = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    if (source[i] === '<') {
      const tag = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>/.exec(rest);
      const name = tag ? tag[2].toLowerCase() : '';
      if (!tag || !HTML_TAGS.has(name)) {
        throw parseError(`Unsupported start tag "${name}" at byte offset ${byteOffset(source, i)}`);
      }
      if (tag[1]) {
        if (open.pop() !== name) {
          throw parseError(`Unexpected end tag at byte offset ${byteOffset(source, i)}`);
        }
      } else {
        open.push(name);
      }
      i += tag[0].length;
    } else if (source[i] === '&' && /^&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/i.test(rest)) {
      const entity = /^&[^;]+;/.exec(rest)[0];
      out += decodeHtmlEntity(entity);
      i += entity.length;
    } else {
      out += source[i];
      i += 1;
    }
  }
  if (open.length) {
    throw parseError(`Can't find end tag corresponding to start tag "${open[open.length - 1]}"`);
  }
  return out;
}

function stripPreLanguage(content) {
  const newline = content.indexOf('\n');
  if (newline >= 0 && /^[\w+#-]*$/.test(content.slice(0, newline))) {
    return content.slice(newline + 1);
  }
  return content;
}

function renderMarkdownV2(source) {
  const names = { '*': 'Bold', _: 'Italic', __: 'Underline', '~': 'Strikethrough', '||': 'Spoiler' };
  let out = '';
  const open = []; // [marker, index]
  const toggle = (marker, index) => {
    const at = open.findIndex(([m]) => m === marker);
    if (at >= 0) open.splice(at, 1);
    else open.push([marker, index]);
  };
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    const lineStart = i === 0 || source[i - 1] === '\n';
    if (ch === '\\' && i + 1 < source.length) {
      out += source[i + 1];
      i += 2;
    } else if (ch === '`') {
      const fence = source.startsWith('```', i) ? '```' : '`';
      let j = i + fence.length;
      let content = '';
      while (j < source.length && !source.startsWith(fence, j)) {
        if (source[j] === '\\' && j + 1 < source.length) {
          content += source[j + 1];
          j += 2;
        } else {
          content += source[j];
          j += 1;
        }
      }
      if (j >= source.length) {
        const kind = fence === '```' ? 'Pre' : 'Code';
        throw parseError(`Can't find end of ${kind} entity at byte offset ${byteOffset(source, i)}`);
      }
      out += fence === '```' ? stripPreLanguage(content) : content;
      i = j + fence.length;
    } else if (ch === '[') {
      open.push(['[', i]);
      i += 1;
    } else if (ch === ']' && open.length && open[open.length - 1][0] === '[') {
      const start = open.pop()[1];
      if (source[i + 1] !== '(') {
        throw parseError(`Can't find end of TextUrl entity at byte offset ${byteOffset(source, start)}`);
      }
      let j = i + 2;
      while (j < source.length && source[j] !== ')') j += source[j] === '\\' ? 2 : 1;
      if (j >= source.length) {
        throw parseError(`Can't find end of a URL at byte offset ${byteOffset(source, i + 2)}`);
      }
      i = j + 1;
    } else if (ch === '*' || ch === '~') {
      toggle(ch, i);
      i += 1;
    } else if (ch === '_') {
      const marker = source[i + 1] === '_' ? '__' : '_';
      toggle(marker, i);
      i += marker.length;
    } else if (ch === '|' && source[i + 1] === '|') {
      toggle('||', i);
      i += 2;
    } else if (ch === '>' && lineStart) {
      i += 1; // blockquote marker
    } else if (MARKDOWN_V2_RESERVED.has(ch)) {
      throw parseError(`Character '${ch}' is reserved and must be escaped with the preceding '\\'`);
    } else {
      out += ch;
      i += 1;
    }
  }
  if (open.length) {
    const [marker, index] = open[open.length - 1];
    const kind = names[marker] || 'TextUrl';
    throw parseError(`Can't find end of ${kind} entity at byte offset ${byteOffset(source, index)}`);
  }
  return out;
}

function renderMarkdown(source) {
  let out = '';
  let i = 0;
  const unclosed = (index) => parseError(
    `Can't find end of the entity starting at byte offset ${byteOffset(source, index)}`,
  );
  while (i < source.length) {
    const ch = source[i];
    if (ch === '\\' && '_*`['.includes(source[i + 1] || ' ')) {
      out += source[i + 1];
      i += 2;
    } else if (ch === '*' || ch === '_' || ch === '`') {
      const fence = ch === '`' && source.startsWith('```', i) ? '```' : ch;
      const end = source.indexOf(fence, i + fence.length);
      if (end < 0) throw unclosed(i);
      const content = source.slice(i + fence.length, end);
      out += fence === '```' ? stripPreLanguage(content) : content;
      i = end + fence.length;
    } else if (ch === '[') {
      const close = source.indexOf(']', i + 1);
      const urlEnd = close >= 0 && source[close + 1] === '(' ? source.indexOf(')', close + 2) : -1;
      if (urlEnd < 0) throw unclosed(i);
      out += source.slice(i + 1, close);
      i = urlEnd + 1;
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

function renderText(source, parseMode, field) {
  if (source === undefined || source === null) return undefined;
  const text = String(source);
  const mode = String(parseMode || '').toLowerCase();
  let rendered = text;
  if (mode === 'html') rendered = renderHtml(text);
  else if (mode === 'markdownv2') rendered = renderMarkdownV2(text);
  else if (mode === 'markdown') rendered = renderMarkdown(text);
  else if (mode) throw badRequest(`unsupported parse_mode "${parseMode}"`);
  const limit = field === 'caption' ? MAX_CAPTION_LENGTH : MAX_TEXT_LENGTH;
  if (field === 'text' && !rendered.trim()) throw badRequest('message text is empty');
  if (rendered.length > limit) throw badRequest(`message ${field} is too long`);
  return rendered;
}

function checkReplyMarkup(markup) {
  if (markup === undefined || markup === null) return;
  if (typeof markup !== 'object') throw badRequest("can't parse reply keyboard markup JSON object");
  const rows = markup.inline_keyboard;
  if (rows === undefined) return;
  if (!Array.isArray(rows) || rows.some((row) => !Array.isArray(row))) {
    throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays');
  }
  for (const button of rows.flat()) {
    if (!button || typeof button.text !== 'string') throw badRequest('BUTTON_TEXT_INVALID');
    const data = button.callback_data;
    if (data !== undefined && (Buffer.byteLength(String(data)) < 1 || Buffer.byteLength(String(data)) > 64)) {
      throw badRequest('BUTTON_DATA_INVALID');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Request parsing: form-urlencoded / JSON (already parsed by express) or multipart via busboy.

function decodeParams(raw) {
  const params = {};
  for (const [key, value] of Object.entries(raw)) {
    if (JSON_PARAMS.has(key) && typeof value === 'string') {
      try {
        params[key] = JSON.parse(value);
      } catch (_err) {
        throw badRequest(`can't parse ${key} JSON object`);
      }
    } else {
      params[key] = value;
    }
  }
  return params;
}

function readParams(req) {
  const base = { ...req.query };
  if (!String(req.headers['content-type'] || '').startsWith('multipart/form-data')) {
    return Promise.resolve({ params: decodeParams({ ...base, ...(req.body || {}) }), files: {} });
  }
  return new Promise((resolve, reject) => {
    const fields = {};
    const files = {};
    let openStreams = 0;
    let parsed = false;
    const finish = () => {
      if (!parsed || openStreams > 0) return;
      for (const file of Object.values(files)) file.data = Buffer.concat(file.chunks);
      try {
        resolve({ params: decodeParams({ ...base, ...fields }), files });
      } catch (err) {
        reject(err);
      }
    };
    const parser = busboy({ headers: req.headers, limits: { fileSize: MAX_UPLOAD_BYTES } });
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      openStreams += 1;
      const file = { filename: info.filename, mimeType: info.mimeType, chunks: [] };
      files[name] = file;
      stream.on('data', (chunk) => file.chunks.push(chunk));
      stream.on('limit', () => reject(new ApiError(413, 'Request Entity Too Large')));
      stream.on('end', () => {
        openStreams -= 1;
        finish();
      });
    });
    parser.on('close', () => {
      parsed = true;
      finish();
    });
    parser.on('error', (err) => reject(badRequest(`can't parse multipart body: ${err.message}`)));
    req.pipe(parser);
  });
}

// ---------------------------------------------------------------------------------------------
// Media helpers.

function imageSize(data) {
  if (data.length >= 24 && data.readUInt32BE(0) === 0x89504e47) {
    return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  }
  if (data.length >= 4 && data[0] === 0xff && data[1] === 0xd8) {
    let i = 2;
    while (i + 9 < data.length && data[i] === 0xff) {
      const marker = data[i + 1];
      const length = data.readUInt16BE(i + 2);
      const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
      if (isFrame) return { width: data.readUInt16BE(i + 7), height: data.readUInt16BE(i + 5) };
      i += 2 + length;
    }
  }
  return { width: 1, height: 1 };
}

function sniffMime(data, declared) {
  if (data.length >= 4 && data.readUInt32BE(0) === 0x89504e47) return 'image/png';
  if (data.length >= 2 && data[0] === 0xff && data[1] === 0xd8) return 'image/jpeg';
  if (data.length >= 4 && data.toString('latin1', 0, 4) === '%PDF') return 'application/pdf';
  return declared || 'application/octet-stream';
}

// ---------------------------------------------------------------------------------------------
// The emulator proper.

function createEmulator({ filesDir, quiet, floodLimit = 0 }) {
  // Route handlers only touch `server` while serving requests, so it can be built after the
  // routes are registered (the stock constructor registers whatever `routes` holds).
  let server = null;
  const state = {
    version: 0,
    chatVersions: new Map(), // `${token}|${chatId}` -> version of that chat's last change
    resetVersion: 0, // version of the last change to every chat at once
    fileCounter: 0,
    chats: new Map(), // chat id -> chat object seen in user updates
    files: new Map(), // file_id -> media object, so bots can re-send by file_id
    commands: new Map(), // token -> Map(scope/language key -> entry)
    profile: new Map(), // token -> {name, description, short_description}
    callbackAnswers: [],
    blocked: new Set(), // `${token}|${chatId}`
    left: [], // {token, chatId} for every leaveChat, in order
    status: new Map(), // token -> {calls, getUpdatesCalls, lastPollAt, polling}
    shuttingDown: false,
  };
  const log = (message) => {
    if (!quiet) process.stderr.write(`[emulator ${new Date().toISOString()}] ${message}\n`);
  };

  // Log lines carry the bot id so a test's report can show just its own bot's traffic.
  const botTag = (token) => `bot=${String(token).split(':')[0]}`;
  const statusFor = (token) => {
    if (!state.status.has(token)) {
      state.status.set(token, {
        calls: {}, getUpdatesCalls: 0, lastPollAt: null, polling: 0, sentAt: [], floodErrors: 0,
      });
    }
    return state.status.get(token);
  };
  // A chat's version: the global version of the last change to one of its bot messages (a
  // reset changes every chat), so a client waiting on one chat can sleep through the others.
  const chatKey = (token, chatId) => `${token}|${chatId}`;
  const chatVersion = (token, chatId) => Math.max(
    state.chatVersions.get(chatKey(token, chatId)) ?? 0,
    state.resetVersion,
  );
  const botMessagesChanged = (entry = null) => {
    state.version += 1;
    if (entry) state.chatVersions.set(chatKey(entry.botToken, chatIdOf(entry)), state.version);
    else state.resetVersion = state.version;
    server.emit(BOT_MESSAGES_EVENT);
  };
  const botUser = (token) => {
    const id = Number.parseInt(String(token).split(':')[0], 10);
    return {
      id: Number.isSafeInteger(id) && id > 0 ? id : 666,
      is_bot: true,
      first_name: 'E2E Test Bot',
      username: 'e2e_test_bot',
    };
  };
  const chatFor = (chatId) => {
    const known = state.chats.get(String(chatId));
    if (known) return known;
    const id = Number(chatId);
    return id < 0 ? { id, type: 'group', title: 'Group' } : { id, type: 'private', first_name: 'User' };
  };
  const chatIdOf = (entry) => (entry.e2e ? entry.e2e.chatId : entry.message.chat_id);
  const findBotEntry = (token, chatId, messageId) => server.storage.botMessages.find((entry) => (
    entry.botToken === token
    && String(entry.messageId) === String(messageId)
    && String(chatIdOf(entry)) === String(chatId)
  ));

  const telegramMessage = (entry) => {
    const e = entry.e2e;
    const message = {
      message_id: entry.messageId,
      from: botUser(entry.botToken),
      chat: chatFor(e.chatId),
      date: Math.floor(entry.time / 1000),
    };
    if (e.editDate) message.edit_date = e.editDate;
    if (e.text !== undefined) message.text = e.text;
    if (e.media) message[e.media.kind] = e.media.value;
    if (e.caption !== undefined) message.caption = e.caption;
    if (e.inlineMarkup) message.reply_markup = e.inlineMarkup;
    return message;
  };
  const testView = (entry) => {
    const e = entry.e2e;
    const media = e.media ? e.media.kind : null;
    return {
      message_id: entry.messageId,
      chat_id: Number(e.chatId),
      date: Math.floor(entry.time / 1000),
      time_ms: entry.time, // when the emulator stored it, for latency measurements
      edited: Boolean(e.editDate),
      edit_date: e.editDate,
      text: e.text === undefined ? null : e.text,
      caption: e.caption === undefined ? null : e.caption,
      raw_text: e.rawText === undefined ? null : e.rawText,
      parse_mode: e.parseMode || null,
      reply_markup: e.inlineMarkup,
      reply_keyboard: e.replyKeyboard,
      media,
      photo: media === 'photo' ? e.media.value : null,
      document: media === 'document' ? e.media.value : null,
      local_path: e.localPath,
      message: telegramMessage(entry),
    };
  };

  const requireChat = (token, params) => {
    if (params.chat_id === undefined || params.chat_id === '') throw badRequest('chat_id is empty');
    if (state.blocked.has(`${token}|${params.chat_id}`)) {
      throw new ApiError(403, 'Forbidden: bot was blocked by the user');
    }
    const numeric = Number(params.chat_id);
    return Number.isSafeInteger(numeric) ? numeric : params.chat_id;
  };

  const storeBotMessage = (token, params, fields) => {
    checkReplyMarkup(params.reply_markup);
    const markup = params.reply_markup || null;
    const isInline = Boolean(markup && markup.inline_keyboard);
    // Reuse the stock bookkeeping (ids, storage, events) so its own client routes keep working.
    server.addBotMessage({ ...params, text: fields.text ?? params.text }, token);
    const entry = server.storage.botMessages[server.storage.botMessages.length - 1];
    entry.e2e = {
      editDate: null,
      inlineMarkup: isInline ? markup : null,
      replyKeyboard: isInline ? null : markup,
      localPath: null,
      ...fields,
    };
    botMessagesChanged(entry);
    return telegramMessage(entry);
  };

  const requireEditable = (token, params) => {
    if (params.inline_message_id) throw badRequest('inline messages are not emulated');
    const entry = findBotEntry(token, params.chat_id, params.message_id);
    if (!entry) throw badRequest('message to edit not found');
    return entry;
  };
  const finishEdit = (entry, changes) => {
    const e = entry.e2e;
    const unchanged = Object.entries(changes)
      .every(([key, value]) => JSON.stringify(e[key] ?? null) === JSON.stringify(value ?? null));
    if (unchanged) throw badRequest(NOT_MODIFIED);
    Object.assign(e, changes, { editDate: nowSeconds() });
    entry.message = { ...entry.message, text: e.text, reply_markup: e.inlineMarkup || undefined };
    botMessagesChanged(entry);
    return telegramMessage(entry);
  };
  const editedMarkup = (params) => {
    checkReplyMarkup(params.reply_markup);
    return params.reply_markup && params.reply_markup.inline_keyboard ? params.reply_markup : null;
  };

  const saveUpload = (upload, kind) => {
    state.fileCounter += 1;
    const mimeType = sniffMime(upload.data, upload.mimeType);
    let name = path.basename(upload.filename || kind).replace(/[^\w.-]/g, '_') || kind;
    if (!path.extname(name) && MIME_EXTENSIONS[mimeType]) name += MIME_EXTENSIONS[mimeType];
    const localPath = path.resolve(filesDir, `${String(state.fileCounter).padStart(4, '0')}-${name}`);
    fs.writeFileSync(localPath, upload.data);
    return { localPath, mimeType, name, size: upload.data.length, data: upload.data };
  };
  const describeMedia = (kind, saved, params) => {
    const n = state.fileCounter;
    const ids = {
      file_id: `E2E-${kind}-${n}-${Math.random().toString(16).slice(2, 10)}`,
      file_unique_id: `e2e${kind}${n}`,
    };
    const size = saved ? imageSize(saved.data) : { width: 1, height: 1 };
    const common = saved ? { file_size: saved.size } : {};
    const duration = Number(params.duration || 0);
    switch (kind) {
      case 'photo':
        return [{ ...ids, ...common, width: size.width, height: size.height }];
      case 'document':
        return { ...ids, ...common, file_name: saved ? saved.name : 'file', mime_type: saved ? saved.mimeType : undefined };
      case 'audio':
      case 'voice':
        return { ...ids, ...common, duration, mime_type: saved ? saved.mimeType : undefined };
      case 'video':
      case 'animation':
        return { ...ids, ...common, width: size.width, height: size.height, duration };
      default: // sticker
        return { ...ids, ...common, type: 'regular', width: 512, height: 512, is_animated: false, is_video: false };
    }
  };
  const sendMedia = (kind) => ({ token, params, files }) => {
    const chatId = requireChat(token, params);
    const value = params[kind];
    const attach = typeof value === 'string' && value.startsWith('attach://') ? value.slice(9) : null;
    const upload = files[attach || kind];
    if (!upload && (typeof value !== 'string' || !value)) {
      throw badRequest(`there is no ${kind} in the request`);
    }
    let media;
    let saved = null;
    if (upload) {
      saved = saveUpload(upload, kind);
      media = describeMedia(kind, saved, params);
      state.files.set(kind === 'photo' ? media[media.length - 1].file_id : media.file_id, media);
    } else {
      media = state.files.get(value) || describeMedia(kind, null, params);
    }
    const caption = renderText(params.caption, params.parse_mode, 'caption');
    return storeBotMessage(token, params, {
      chatId,
      caption,
      rawText: params.caption,
      parseMode: params.parse_mode,
      media: { kind, value: media },
      localPath: saved ? saved.localPath : null,
    });
  };

  const pendingUpdates = (token, offset) => server.storage.userMessages
    .filter((update) => update.botToken === token && !update.isRead && update.updateId >= offset);
  const waitForEvent = (event, milliseconds, res) => new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      server.off(event, done);
      server.off(SHUTDOWN_EVENT, done);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, milliseconds);
    server.on(event, done);
    server.on(SHUTDOWN_EVENT, done);
    res.on('close', done);
  });
  const commandKey = (params) => JSON.stringify([params.scope || { type: 'default' }, params.language_code || '']);
  const profileFor = (token) => {
    if (!state.profile.has(token)) state.profile.set(token, { name: 'E2E Test Bot', description: '', short_description: '' });
    return state.profile.get(token);
  };

  // --- Bot API methods --------------------------------------------------------------------------
  const botMethods = {
    getMe: ({ token }) => ({
      ...botUser(token),
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
    }),
    logOut: () => true,
    close: () => true,
    getWebhookInfo: ({ token }) => ({
      url: '',
      has_custom_certificate: false,
      pending_update_count: pendingUpdates(token, 0).length,
    }),
    deleteWebhook: ({ token, params }) => {
      server.deleteWebhook(token);
      if (['true', true, '1'].includes(params.drop_pending_updates)) {
        for (const update of pendingUpdates(token, 0)) update.isRead = true;
      }
      return true;
    },
    getUpdates: async ({ token, params, res }) => {
      const status = statusFor(token);
      status.getUpdatesCalls += 1;
      status.lastPollAt = Date.now() / 1000;
      const offset = Number(params.offset || 0);
      const limit = Math.min(Math.max(Number(params.limit || 100), 1), 100);
      const timeout = Math.min(Math.max(Number(params.timeout || 0), 0), MAX_POLL_SECONDS);
      // Like Telegram: an offset confirms every earlier update; unconfirmed ones are re-sent.
      for (const update of server.storage.userMessages) {
        if (update.botToken === token && update.updateId < offset) update.isRead = true;
      }
      const deadline = Date.now() + timeout * 1000;
      let pending = pendingUpdates(token, offset);
      status.polling += 1;
      try {
        while (!pending.length && Date.now() < deadline && !state.shuttingDown && !res.writableEnded && !res.destroyed) {
          await waitForEvent(USER_UPDATE_EVENT, deadline - Date.now(), res);
          pending = pendingUpdates(token, offset);
        }
      } finally {
        status.polling -= 1;
      }
      const updates = pending.slice(0, limit).map((update) => TelegramServer.formatUpdate(update));
      if (updates.length) log(`${botTag(token)} getUpdates -> ${updates.map((u) => u.update_id).join(',')}`);
      return updates;
    },
    leaveChat: ({ token, params }) => {
      state.left.push({ token, chatId: requireChat(token, params) });
      return true;
    },
    sendMessage: ({ token, params }) => {
      const chatId = requireChat(token, params);
      const text = renderText(params.text ?? '', params.parse_mode, 'text');
      return storeBotMessage(token, params, {
        chatId, text, rawText: params.text, parseMode: params.parse_mode,
      });
    },
    editMessageText: ({ token, params }) => {
      const entry = requireEditable(token, params);
      if (entry.e2e.text === undefined) throw badRequest('there is no text in the message to edit');
      requireChat(token, params);
      return finishEdit(entry, {
        text: renderText(params.text ?? '', params.parse_mode, 'text'),
        inlineMarkup: editedMarkup(params),
        rawText: params.text,
        parseMode: params.parse_mode,
      });
    },
    editMessageCaption: ({ token, params }) => {
      const entry = requireEditable(token, params);
      if (!entry.e2e.media) throw badRequest('there is no caption in the message to edit');
      return finishEdit(entry, {
        caption: renderText(params.caption, params.parse_mode, 'caption'),
        inlineMarkup: editedMarkup(params),
        rawText: params.caption,
        parseMode: params.parse_mode,
      });
    },
    editMessageReplyMarkup: ({ token, params }) => {
      const entry = requireEditable(token, params);
      return finishEdit(entry, { inlineMarkup: editedMarkup(params) });
    },
    deleteMessage: ({ token, params }) => {
      const chatId = Number(params.chat_id);
      const messageId = Number(params.message_id);
      const entry = findBotEntry(token, chatId, messageId);
      if (entry) {
        server.storage.botMessages = server.storage.botMessages.filter((e) => e !== entry);
        botMessagesChanged(entry);
        return true;
      }
      let deleted = false;
      try {
        deleted = server.deleteMessage(chatId, messageId);
      } catch (_err) {
        // The stock lookup assumes every callback carries a message; such updates are not ours.
      }
      if (deleted) return true;
      throw badRequest('message to delete not found');
    },
    answerCallbackQuery: ({ token, params }) => {
      state.callbackAnswers.push({
        token,
        callback_query_id: String(params.callback_query_id),
        text: params.text ?? null,
        show_alert: ['true', true, '1'].includes(params.show_alert),
        url: params.url ?? null,
        date: nowSeconds(),
      });
      return true;
    },
    sendChatAction: ({ token, params }) => {
      requireChat(token, params);
      if (!params.action) throw badRequest('action is empty');
      return true;
    },
    setMyCommands: ({ token, params }) => {
      const commands = params.commands;
      if (!Array.isArray(commands)) throw badRequest('commands must be an Array');
      for (const command of commands) {
        if (!/^[a-z0-9_]{1,32}$/.test(String(command.command || ''))) throw badRequest('BOT_COMMAND_INVALID');
        const description = String(command.description || '');
        if (description.length < 1 || description.length > 256) {
          throw badRequest('command description must be 1-256 characters');
        }
      }
      if (!state.commands.has(token)) state.commands.set(token, new Map());
      state.commands.get(token).set(commandKey(params), {
        scope: params.scope || { type: 'default' },
        language_code: params.language_code || '',
        commands,
      });
      return true;
    },
    deleteMyCommands: ({ token, params }) => {
      if (state.commands.has(token)) state.commands.get(token).delete(commandKey(params));
      return true;
    },
    getMyCommands: ({ token, params }) => {
      const entry = state.commands.has(token) && state.commands.get(token).get(commandKey(params));
      return entry ? entry.commands : [];
    },
    setMyName: ({ token, params }) => {
      profileFor(token).name = params.name || 'E2E Test Bot';
      return true;
    },
    getMyName: ({ token }) => ({ name: profileFor(token).name }),
    setMyDescription: ({ token, params }) => {
      profileFor(token).description = params.description || '';
      return true;
    },
    getMyDescription: ({ token }) => ({ description: profileFor(token).description }),
    setMyShortDescription: ({ token, params }) => {
      profileFor(token).short_description = params.short_description || '';
      return true;
    },
    getMyShortDescription: ({ token }) => ({ short_description: profileFor(token).short_description }),
  };
  for (const [method, kind] of Object.entries(MEDIA_METHODS)) botMethods[method] = sendMedia(kind);

  const botRoute = (method, handler) => (app) => {
    app.all(`/bot:token/${method}`, async (req, res) => {
      const { token } = req.params;
      try {
        const { params, files } = await readParams(req);
        const status = statusFor(token);
        status.calls[method] = (status.calls[method] || 0) + 1;
        if (method !== 'getUpdates') log(`${botTag(token)} ${method} ${JSON.stringify(params).slice(0, 300)}`);
        if (floodLimit > 0 && method.startsWith('send') && method !== 'sendChatAction') {
          // Telegram's flood control: more than floodLimit messages in one second -> 429.
          const now = Date.now();
          while (status.sentAt.length && status.sentAt[0] <= now - 1000) status.sentAt.shift();
          if (status.sentAt.length >= floodLimit) {
            status.floodErrors += 1;
            throw new ApiError(429, 'Too Many Requests: retry after 1', { retry_after: 1 });
          }
          status.sentAt.push(now);
        }
        const result = await handler({ token, params, files, req, res });
        if (!res.headersSent && !res.destroyed) res.json({ ok: true, result });
      } catch (err) {
        const code = err instanceof ApiError ? err.code : 500;
        const description = err instanceof ApiError ? err.message : `Internal Server Error: ${err.stack || err}`;
        log(`${botTag(token)} ${method} failed: ${code} ${description}`);
        const body = { ok: false, error_code: code, description };
        if (err instanceof ApiError && err.parameters) body.parameters = err.parameters;
        if (!res.headersSent && !res.destroyed) res.status(code).json(body);
      }
    });
  };

  // Catch-all, replacing the stock one (HTTP 500 + {message}) with Telegram's shape for an
  // unknown method so the bot's log names the missing method.
  const unknownMethod = (app) => {
    app.all('/bot:token/:method', (req, res) => {
      const description = `Not Found: method ${req.params.method} is not emulated by bot/devtools/emulator.js`;
      log(`${botTag(req.params.token)} ${description}`);
      res.status(404).json({ ok: false, error_code: 404, description });
    });
  };

  // --- Test client routes: stock request format, but awaited so a bad request answers 400 ------
  // instead of crashing the process with an unhandled rejection.
  const clientRoute = (route, validate, add) => (app) => {
    app.post(route, async (req, res) => {
      try {
        const body = req.body || {};
        if (!body.botToken) throw badRequest('botToken is required');
        validate(body);
        // The stock server hands out these ids synchronously inside add(); report them so a
        // client knows which update/message/callback it created.
        const ids = {
          update_id: server.updateId,
          message_id: server.messageId,
          callback_query_id: String(server.callbackId),
        };
        await add(body);
        res.json({ ok: true, result: ids });
      } catch (err) {
        res.status(400).json({ ok: false, error_code: 400, description: err.message });
      }
    });
  };
  const requireUserMessage = (body) => {
    if (!body.from || !body.chat) throw badRequest('a user message needs `from` and `chat`');
  };

  // --- /_test routes --------------------------------------------------------------------------
  const testRoutes = (app) => {
    app.get('/_test/health', (_req, res) => res.json({ ok: true, result: { version: state.version } }));
    app.post('/_test/botMessages', async (req, res) => {
      const { token, chatId } = req.body || {};
      const afterVersion = Number(req.body.afterVersion ?? -1);
      // `chatVersion: true` (with a chatId): wait for, and answer with, this chat's version.
      const perChat = Boolean(req.body.chatVersion) && chatId !== undefined && chatId !== null;
      const version = () => (perChat ? chatVersion(token, chatId) : state.version);
      const timeout = Math.min(Math.max(Number(req.body.timeout || 0), 0), MAX_TEST_WAIT_SECONDS);
      const deadline = Date.now() + timeout * 1000;
      while (version() <= afterVersion && Date.now() < deadline && !state.shuttingDown && !res.destroyed) {
        await waitForEvent(BOT_MESSAGES_EVENT, deadline - Date.now(), res);
      }
      const result = server.storage.botMessages
        .filter((entry) => entry.e2e && entry.botToken === token)
        .filter((entry) => chatId === undefined || chatId === null || String(chatIdOf(entry)) === String(chatId))
        .map(testView);
      if (!res.destroyed) res.json({ ok: true, version: version(), result });
    });
    app.post('/_test/commands', (req, res) => {
      const entries = state.commands.get((req.body || {}).token);
      res.json({ ok: true, result: entries ? [...entries.values()] : [] });
    });
    app.post('/_test/callbackAnswers', (req, res) => {
      const { token } = req.body || {};
      res.json({ ok: true, result: state.callbackAnswers.filter((a) => a.token === token) });
    });
    app.post('/_test/leftChats', (req, res) => {
      const { token } = req.body || {};
      res.json({ ok: true, result: state.left.filter((l) => l.token === token).map((l) => l.chatId) });
    });
    app.post('/_test/block', (req, res) => {
      const { token, chatId } = req.body || {};
      const key = `${token}|${chatId}`;
      if ((req.body || {}).blocked === false) state.blocked.delete(key);
      else state.blocked.add(key);
      res.json({ ok: true, result: true });
    });
    app.post('/_test/botStatus', (req, res) => {
      const { token } = req.body || {};
      const status = statusFor(token);
      res.json({
        ok: true,
        result: {
          calls: status.calls,
          get_updates_calls: status.getUpdatesCalls,
          last_poll_at: status.lastPollAt,
          polling: status.polling > 0,
          pending_updates: pendingUpdates(token, 0).length,
          flood_errors: status.floodErrors,
        },
      });
    });
    app.post('/_test/reset', (req, res) => {
      const { token } = req.body || {};
      const keep = (entry) => token !== undefined && entry.botToken !== token;
      server.storage.botMessages = server.storage.botMessages.filter(keep);
      server.storage.userMessages = server.storage.userMessages.filter(keep);
      state.callbackAnswers = state.callbackAnswers.filter((a) => token !== undefined && a.token !== token);
      state.left = state.left.filter((l) => token !== undefined && l.token !== token);
      for (const map of [state.commands, state.profile, state.status]) {
        if (token === undefined) map.clear();
        else map.delete(token);
      }
      for (const key of [...state.blocked]) {
        if (token === undefined || key.startsWith(`${token}|`)) state.blocked.delete(key);
      }
      botMessagesChanged();
      res.json({ ok: true, result: true });
    });
  };

  // Placed first so they win over the stock routes with the same paths.
  const overrides = [
    clientRoute('/sendMessage', requireUserMessage, (body) => server.addUserMessage(body)),
    clientRoute('/sendCommand', (body) => {
      requireUserMessage(body);
      if (!Array.isArray(body.entities) || !body.entities.length) throw badRequest('Command should have entities');
    }, (body) => server.addUserCommand(body)),
    clientRoute('/sendCallback', (body) => {
      if (!body.from || body.data === undefined) throw badRequest('a callback needs `from` and `data`');
    }, (body) => server.addUserCallback(body)),
    testRoutes,
    ...Object.entries(botMethods).map(([method, handler]) => botRoute(method, handler)),
  ];
  const stockIndex = routes.indexOf(stockUnknownMethod);
  if (stockIndex >= 0) routes.splice(stockIndex, 1, unknownMethod);
  else routes.push(unknownMethod);
  routes.unshift(...overrides);

  // A port of 0 would become 9000 in the stock config; main() sets the real one before start().
  server = new TelegramServer({ host: HOST, port: 1, storeTimeout: STORE_TIMEOUT_SECONDS });
  server.setMaxListeners(0); // every long poll adds listeners

  // --- Hooks into the stock server --------------------------------------------------------------
  const stockAddUserUpdate = server.addUserUpdate.bind(server);
  server.addUserUpdate = async (update) => {
    const chat = (update.message && update.message.chat)
      || (update.callbackQuery && update.callbackQuery.message && update.callbackQuery.message.chat);
    if (chat && chat.id !== undefined) state.chats.set(String(chat.id), chat);
    await stockAddUserUpdate(update);
    // After the stock code has bumped its counters, wake the long polls.
    setImmediate(() => server.emit(USER_UPDATE_EVENT));
  };

  const stockFormatUpdate = TelegramServer.formatUpdate;
  const cleanUserMessage = (message) => {
    const clean = { ...message };
    delete clean.botToken;
    if (typeof clean.date === 'number' && clean.date > 1e11) clean.date = Math.floor(clean.date / 1000);
    return clean;
  };
  TelegramServer.formatUpdate = (update) => {
    const formatted = stockFormatUpdate.call(TelegramServer, update);
    if (formatted.message) formatted.message = cleanUserMessage(formatted.message);
    if (formatted.callback_query) {
      const query = formatted.callback_query;
      const raw = update.callbackQuery;
      const shown = raw.message;
      const chatId = shown && (shown.chat ? shown.chat.id : shown.chat_id);
      query.chat_instance = raw.chat_instance || `e2e-${chatId ?? (raw.from && raw.from.id)}`;
      // Telegram sends the message as it is now, edits included.
      const current = shown && findBotEntry(update.botToken, chatId, shown.message_id);
      if (current) query.message = telegramMessage(current);
      else if (shown) query.message = cleanUserMessage(shown);
      else delete query.message;
      if (raw.inline_message_id) query.inline_message_id = raw.inline_message_id;
    }
    return formatted;
  };

  return { server, state, log };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const filesDir = path.resolve(options.files || fs.mkdtempSync(path.join(os.tmpdir(), 'tg-e2e-files-')));
  fs.mkdirSync(filesDir, { recursive: true });

  const { server, state, log } = createEmulator({
    filesDir, quiet: options.quiet, floodLimit: options.floodLimit,
  });

  process.on('unhandledRejection', (err) => log(`unhandled rejection: ${err && err.stack ? err.stack : err}`));

  // TelegramServer treats port 0 as "use 9000"; ask for 0 after construction instead.
  server.config.port = options.port;
  await server.start();
  const { port } = server.server.address();
  server.config.port = port;
  server.config.apiURL = `http://${HOST}:${port}`;
  log(`listening on ${server.config.apiURL}, files in ${filesDir}`);
  process.stdout.write(`READY ${port}\n`);

  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down`);
    state.shuttingDown = true;
    server.emit(SHUTDOWN_EVENT);
    setTimeout(() => process.exit(0), 3000).unref();
    await server.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`emulator failed to start: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
