import { describe, expect, it } from 'vitest';
import { parseCaptions, parseCommand, parseMemeArgs, takeStyle } from '../../../src/bots/telegram/command-parser.ts';

describe('parseCommand', () => {
  it('reads the name and arguments of a leading command', () => {
    expect(parseCommand('/meme nod-along hi | there', 'memeloom_bot')).toEqual({ name: 'meme', args: 'nod-along hi | there' });
    expect(parseCommand('/Meme', 'memeloom_bot')).toEqual({ name: 'meme', args: '' });
  });

  it('accepts commands addressed to this bot and ignores those for another bot', () => {
    expect(parseCommand('/meme@MemeLoom_Bot smug', 'memeloom_bot')).toEqual({ name: 'meme', args: 'smug' });
    expect(parseCommand('/meme@other_bot smug', 'memeloom_bot')).toBeUndefined();
  });

  it('ignores text that is not a command', () => {
    expect(parseCommand('hello /meme', 'b')).toBeUndefined();
    expect(parseCommand(undefined, 'b')).toBeUndefined();
    expect(parseCommand('/', 'b')).toBeUndefined();
  });

  it('keeps multi-line arguments', () => {
    expect(parseCommand('/meme smug top\nmore', 'b')?.args).toBe('smug top\nmore');
  });
});

describe('parseMemeArgs', () => {
  it('splits template, top and bottom text', () => {
    expect(parseMemeArgs('nod-along when the build | finally passes')).toEqual({
      templateId: 'nod-along',
      captions: { top: 'when the build', bottom: 'finally passes' },
    });
  });

  it('handles a template alone, top only and bottom only', () => {
    expect(parseMemeArgs('Smug')).toEqual({ templateId: 'smug' });
    expect(parseMemeArgs('smug  me   irl ')).toEqual({ templateId: 'smug', captions: { top: 'me irl' } });
    expect(parseMemeArgs('smug | bottom only')).toEqual({ templateId: 'smug', captions: { bottom: 'bottom only' } });
    expect(parseMemeArgs('| no template')).toEqual({ captions: { bottom: 'no template' } });
  });

  it('recognises random and empty arguments', () => {
    expect(parseMemeArgs('random hi')).toEqual({ random: true, captions: { top: 'hi' } });
    expect(parseMemeArgs('   ')).toEqual({});
  });

  it('reads a lone "-" in place of the captions as "no caption", with or without a template', () => {
    expect(parseMemeArgs('smug -')).toEqual({ templateId: 'smug', noCaption: true });
    expect(parseMemeArgs('random  - ')).toEqual({ random: true, noCaption: true });
    expect(parseMemeArgs('-')).toEqual({ noCaption: true });
    // A dash inside a caption is text.
    expect(parseMemeArgs('smug - me')).toEqual({ templateId: 'smug', captions: { top: '- me' } });
  });

  it('keeps later bars in the bottom text and drops empty captions', () => {
    expect(parseCaptions('a | b | c')).toEqual({ top: 'a', bottom: 'b | c' });
    expect(parseCaptions(' | ')).toBeUndefined();
  });
});

describe('style:NAME in the arguments', () => {
  it('takes style:NAME or style=NAME from anywhere before the bar, leaving template and captions as they were', () => {
    expect(parseMemeArgs('smug style:ghibli when the build | passes')).toEqual({ templateId: 'smug', style: 'ghibli', captions: { top: 'when the build', bottom: 'passes' } });
    expect(parseMemeArgs('style=Ink smug')).toEqual({ templateId: 'smug', style: 'Ink' });
    expect(parseMemeArgs('random STYLE:more-details top')).toEqual({ random: true, style: 'more-details', captions: { top: 'top' } });
    expect(parseMemeArgs('style:ghibli')).toEqual({ style: 'ghibli' });
  });

  it('leaves style: after the bar as caption text, and words that only contain it alone', () => {
    expect(parseMemeArgs('smug top | style:ghibli')).toEqual({ templateId: 'smug', captions: { top: 'top', bottom: 'style:ghibli' } });
    expect(parseMemeArgs('smug lifestyle:vibes')).toEqual({ templateId: 'smug', captions: { top: 'lifestyle:vibes' } });
    expect(takeStyle('style:ink top | bottom')).toEqual({ style: 'ink', rest: 'top | bottom' });
    expect(takeStyle('just captions')).toEqual({ rest: 'just captions' });
  });
});
