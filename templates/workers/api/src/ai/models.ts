/**
 * Models a caller may ask for, by task; the first of each list is the default. A model outside these lists is
 * refused (400) before anything is sent: each model has its own price and input shape. Add a model here to allow it.
 */
export const allowedModels = {
  text: ['@cf/meta/llama-3.1-8b-instruct', '@cf/meta/llama-3.2-3b-instruct'],
  summarize: ['@cf/facebook/bart-large-cnn'],
  image: ['@cf/stabilityai/stable-diffusion-xl-base-1.0'],
} as const;

export type AiTask = keyof typeof allowedModels;

/** Input size limits, in characters (over them: 413). */
export const inputLimits = { prompt: 4000, imagePrompt: 1000, text: 20000 } as const;

/**
 * The model to run for `task`: the default when none is asked for, the asked one if it is allowed, else undefined.
 *
 * @example
 * pickModel('text', undefined);          // '@cf/meta/llama-3.1-8b-instruct'
 * pickModel('text', '@cf/other/model');  // undefined -> 400
 */
export function pickModel(task: AiTask, requested: unknown): string | undefined {
  const models: readonly string[] = allowedModels[task];
  if (requested === undefined) return models[0];
  return typeof requested === 'string' && models.includes(requested) ? requested : undefined;
}
