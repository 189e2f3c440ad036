/**
 * The one boundary between vision code and an inference engine. onnxruntime-web satisfies it
 * through `ortRuntime`; tests can pass a spy. Nothing else in src/vision imports an engine.
 */

export interface TensorData {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export interface ModelSession {
  run(feeds: Readonly<Record<string, TensorData>>): Promise<Record<string, TensorData>>;
  release(): Promise<void>;
}

export interface SessionOptions {
  /** Ordered preference, e.g. ['webgpu', 'wasm']. */
  readonly executionProviders?: readonly string[];
}

export interface InferenceRuntime {
  /** Name of the provider sessions are created for, for timings and the admin page. */
  readonly provider: string;
  createSession(model: Uint8Array | string, options?: SessionOptions): Promise<ModelSession>;
}

/** The parts of the onnxruntime-web module we use, typed structurally so no engine type leaks here. */
export interface OrtLike {
  readonly InferenceSession: {
    create(model: Uint8Array | string, options?: { executionProviders?: string[]; graphOptimizationLevel?: 'all' }): Promise<OrtSessionLike>;
  };
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
}

interface OrtSessionLike {
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown; dims: readonly number[] }>>;
  release(): Promise<void>;
}

/** Adapts an onnxruntime-web module (wasm or webgpu bundle) to InferenceRuntime. */
export function ortRuntime(ort: OrtLike, provider: 'wasm' | 'webgpu'): InferenceRuntime {
  return {
    provider,
    async createSession(model, options) {
      const session = await ort.InferenceSession.create(model, {
        executionProviders: [...(options?.executionProviders ?? [provider])],
        graphOptimizationLevel: 'all',
      });
      return {
        async run(feeds) {
          const inputs: Record<string, unknown> = {};
          for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor('float32', t.data, t.dims);
          const outputs = await session.run(inputs);
          const result: Record<string, TensorData> = {};
          for (const [name, t] of Object.entries(outputs)) {
            if (!(t.data instanceof Float32Array)) throw new TypeError(`output ${name} is not float32`);
            result[name] = { data: t.data, dims: t.dims };
          }
          return result;
        },
        release: () => session.release(),
      };
    },
  };
}
