// Types for the part of @nlpjs/neural the trainer uses (the package ships none).
declare module '@nlpjs/neural' {
  export interface NeuralSettings {
    iterations?: number
    errorThresh?: number
    deltaErrorThresh?: number
    learningRate?: number
    momentum?: number
    alpha?: number
    log?: boolean | ((status: { iterations: number; error: number }, ms: number) => void)
  }
  export interface NeuralJson {
    settings: NeuralSettings
    /** input feature names, in weight order */
    features: string[]
    /** output labels, in perceptron order */
    intents: string[]
    /** per label: one weight per feature, then the bias */
    perceptrons: number[][]
  }
  export class NeuralNetwork {
    constructor(settings?: NeuralSettings)
    train(corpus: { input: Record<string, number>; output: Record<string, number> }[]): { iterations: number; error: number }
    run(input: Record<string, number>): Record<string, number> | undefined
    toJSON(): NeuralJson
  }
}
