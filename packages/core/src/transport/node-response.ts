// A real Response (instanceof, headers, status, clone) whose body stays a Node stream until
// someone asks for `.body`. The SDKs read a JSON reply with text()/json() once per call; reading
// the Node stream straight into one buffer skips the web-stream layer, its promises and its
// garbage (see BENCHMARKS.md for what it saves per model call).
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { inTurn } from './turns.js';

interface Sink {
  data(chunk: Buffer): void;
  end(): void;
  error(error: unknown): void;
}

/** The body of one node:http response, consumed once: as a buffer or as a web stream. */
export class NodeBody {
  #done = false;
  #error: unknown;
  #sink: Sink | undefined;

  constructor(
    private readonly res: IncomingMessage,
    private readonly source: Readable,
    /** Maps a transport error to what the reader sees (the abort reason, or TypeError('terminated')). */
    private readonly mapError: (error: unknown) => unknown,
    /** Called once when the body ends, fails or is cancelled: drops the abort listener. */
    private readonly release: () => void,
  ) {
    // Listeners go on now, not at first read: an error before anyone reads must not be unhandled,
    // and a connection cut before the first read must still fail the read instead of hanging it.
    source.on('error', (error) => this.#finish(this.mapError(error)));
    source.once('end', () => this.#finish());
    res.once('close', () => !res.complete && this.#finish(this.mapError(new Error('connection closed before the response ended'))));
  }

  #finish(error?: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.release();
    if (error === undefined) this.#sink?.end();
    else {
      this.#error = error;
      this.#sink?.error(error);
    }
  }

  #attach(sink: Sink): void {
    if (this.#error !== undefined) return sink.error(this.#error);
    this.#sink = sink;
    this.source.on('data', sink.data);
  }

  /** The reader is gone: nothing more reaches it, and the connection is closed. */
  #cancel(): void {
    if (this.#sink) this.source.off('data', this.#sink.data);
    this.#sink = undefined;
    this.#finish();
    this.res.destroy();
    if (this.source !== this.res) this.source.destroy();
  }

  /** The whole body as one Buffer. */
  read(): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const done = () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      this.#attach({ data: (chunk) => chunks.push(chunk), end: () => inTurn(done), error: reject });
    });
  }

  /** The body as a web stream with backpressure; cancelling it destroys the connection. */
  stream(): ReadableStream<Uint8Array> {
    const { source } = this;
    return new ReadableStream<Uint8Array>({
      start: (controller) =>
        this.#attach({
          data: (chunk) => {
            controller.enqueue(chunk);
            if ((controller.desiredSize ?? 1) <= 0) source.pause();
          },
          end: () => controller.close(),
          error: (error) => controller.error(error),
        }),
      pull: () => void source.resume(),
      cancel: () => this.#cancel(),
    }, { highWaterMark: 65_536, size: (chunk) => chunk.byteLength });
  }
}

const utf8 = new TextDecoder();

export interface NodeResponseInit {
  status: number;
  statusText: string | undefined;
  headers: Headers;
  url: string;
}

/** A Response over a NodeBody. Everything a Response offers works; `.body` is built on first use. */
export class NodeResponse extends Response {
  #body: NodeBody | undefined;
  #stream: ReadableStream<Uint8Array> | undefined;
  #used = false;
  readonly #headers: Headers;
  readonly #url: string;

  constructor(body: NodeBody, init: NodeResponseInit) {
    super(null, { status: init.status, statusText: init.statusText });
    this.#body = body;
    this.#headers = init.headers;
    this.#url = init.url;
  }

  override get headers(): Headers {
    return this.#headers;
  }

  override get url(): string {
    return this.#url;
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> {
    if (!this.#stream) {
      if (this.#used || !this.#body) this.#stream = new ReadableStream({ start: (c) => c.close() });
      else this.#stream = this.#body.stream();
      this.#body = undefined;
    }
    return this.#stream as ReadableStream<Uint8Array<ArrayBuffer>>;
  }

  override get bodyUsed(): boolean {
    return this.#used || (this.#stream?.locked ?? false);
  }

  override async text(): Promise<string> {
    return utf8.decode(await this.#bytes());
  }

  override async json(): Promise<any> {
    return JSON.parse(await this.text());
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#bytes();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.arrayBuffer());
  }

  override async blob(): Promise<Blob> {
    return new Blob([await this.arrayBuffer()], { type: this.#headers.get('content-type') ?? '' });
  }

  override async formData(): Promise<FormData> {
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
    return this.#standard(this.#takeStream()).formData();
  }

  override clone(): Response {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    const [mine, theirs] = this.body.tee();
    this.#stream = mine;
    return this.#standard(theirs);
  }

  #bytes(): Promise<Buffer> {
    if (this.bodyUsed) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    if (this.#stream) return this.#standard(this.#takeStream()).arrayBuffer().then((b) => Buffer.from(b));
    this.#used = true;
    const body = this.#body!;
    this.#body = undefined;
    return body.read();
  }

  #takeStream(): ReadableStream<Uint8Array> {
    const stream = this.body;
    this.#used = true;
    return stream;
  }

  #standard(stream: ReadableStream<Uint8Array>): Response {
    const response = new Response(stream, { status: this.status, statusText: this.statusText, headers: this.#headers });
    Object.defineProperty(response, 'url', { value: this.#url });
    return response;
  }
}
