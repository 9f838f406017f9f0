// The RRDBNet module tree: its parameter names and shapes are RealESRGAN_x2plus.pth's (16.7M parameters, spec §2.1),
// the architecture is read back from a state dict, and weights that are not RRDBNet's get a coded error.
import { describe, expect, it } from 'vitest';
import { REAL_ESRGAN_X2PLUS, RRDBNet, rrdbNetConfigOf } from '../../../src/graph/models/esrgan/rrdbnet.ts';
import { bindWeights } from '../../../src/graph/nn/bind.ts';
import { storeFromHost } from '../../../src/graph/weights/weight-store.ts';
import { randomStore } from '../golden-helpers.ts';

describe('RRDBNet', () => {
  it('has the x2plus weight names and shapes, 16.7M parameters', () => {
    const params = new Map([...new RRDBNet(REAL_ESRGAN_X2PLUS).namedParams()].map(([name, slot]) => [name, slot.shape]));
    expect(params.get('conv_first.weight')).toEqual([64, 12, 3, 3]); // 3 channels pixel-unshuffled by 2
    expect(params.get('body.0.rdb1.conv1.weight')).toEqual([32, 64, 3, 3]);
    expect(params.get('body.22.rdb3.conv5.weight')).toEqual([64, 192, 3, 3]);
    expect(params.has('body.23.rdb1.conv1.weight')).toBe(false);
    for (const name of ['conv_body', 'conv_up1', 'conv_up2', 'conv_hr']) expect(params.get(`${name}.weight`)).toEqual([64, 64, 3, 3]);
    expect(params.get('conv_last.bias')).toEqual([3]);
    const count = [...params.values()].reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
    expect(count / 1e6).toBeCloseTo(16.7, 1);
  });

  it('reads the architecture back from a state dict, for ×1, ×2 and ×4', () => {
    for (const scale of [1, 2, 4] as const) {
      const config = { channels: 3, scale, numFeat: 8, numBlock: 3, numGrowCh: 4 };
      const net = new RRDBNet(config);
      const store = randomStore(net, 3);
      expect(rrdbNetConfigOf(store)).toEqual(config);
      bindWeights(net, store);
    }
  });

  it('names what is wrong with weights that are not RRDBNet', () => {
    const store = randomStore(new RRDBNet({ channels: 3, scale: 2, numFeat: 8, numBlock: 2, numGrowCh: 4 }), 1);
    expect(() => rrdbNetConfigOf(storeFromHost({ 'model.0.weight': { shape: [1], data: new Float32Array(1) } }))).toThrow(/not RRDBNet \(Real-ESRGAN\) weights: 'conv_first.weight' is missing/);
    const odd = store.mapNames((n) => n);
    odd.entries.set('conv_first.weight', { ...store.get('conv_first.weight'), shape: [8, 6, 3, 3] });
    expect(() => rrdbNetConfigOf(odd)).toThrow(/conv_first takes 6 channels for 3-channel images/);
    const gap = store.mapNames((n) => (n.startsWith('body.1.') ? n.replace('body.1.', 'body.5.') : n));
    expect(() => bindWeights(new RRDBNet(rrdbNetConfigOf(gap)), gap)).toThrow(/missing: body\.1\.rdb1\.conv1\.weight/);
  });
});
