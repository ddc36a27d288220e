import { speakerEmbedder } from '../../../lambda/biometrics/speaker-model.ts';

describe('speakerEmbedder', () => {
  it('gives resemblyzer-ge2e when no model is named, one instance per name', () => {
    const embedder = speakerEmbedder();
    expect(embedder.name).toBe('resemblyzer-ge2e');
    expect(speakerEmbedder('resemblyzer-ge2e')).toBe(embedder);
  });

  it('refuses a model it does not know, listing the ones it does', () => {
    expect(() => speakerEmbedder('cam++')).toThrow(RangeError);
    expect(() => speakerEmbedder('cam++')).toThrow('Unknown speaker model cam++; the known ones are: resemblyzer-ge2e.');
  });
});
