import { describe, expect, it } from '@jest/globals';
import { markdownToText, parseInline, parseMarkdown } from './markdown';

const SAMPLE = `> **演示文本**：本文件是示例文本，
> 不具有法律约束力。

# 客户账户业务办理承诺书

致：开户云期货

本人通过网上业务办理系统申请办理业务，
郑重承诺如下：

## 一、本人办理

1. 本人是账户所有人。
2. 信息**真实、准确**。
   续行也属于第二条。

- 身份证
- 银行卡
`;

describe('agreement Markdown', () => {
  it('reads headings, paragraphs, quotes and lists as data', () => {
    expect(parseMarkdown(SAMPLE)).toEqual([
      {
        kind: 'quote',
        inlines: [
          { text: '演示文本', strong: true },
          { text: '：本文件是示例文本，不具有法律约束力。', strong: false },
        ],
      },
      { kind: 'heading', level: 1, inlines: [{ text: '客户账户业务办理承诺书', strong: false }] },
      { kind: 'paragraph', inlines: [{ text: '致：开户云期货', strong: false }] },
      { kind: 'paragraph', inlines: [{ text: '本人通过网上业务办理系统申请办理业务，郑重承诺如下：', strong: false }] },
      { kind: 'heading', level: 2, inlines: [{ text: '一、本人办理', strong: false }] },
      {
        kind: 'list',
        ordered: true,
        start: 1,
        items: [
          [{ text: '本人是账户所有人。', strong: false }],
          [
            { text: '信息', strong: false },
            { text: '真实、准确', strong: true },
            { text: '。续行也属于第二条。', strong: false },
          ],
        ],
      },
      {
        kind: 'list',
        ordered: false,
        start: 1,
        items: [[{ text: '身份证', strong: false }], [{ text: '银行卡', strong: false }]],
      },
    ]);
  });

  it('keeps markup-looking text as text (nothing becomes HTML)', () => {
    expect(parseInline('<script>alert(1)</script> [链接](javascript:x) `代码`')).toEqual([
      { text: '<script>alert(1)</script> 链接 代码', strong: false },
    ]);
    expect(parseMarkdown('#### 小标题')).toEqual([
      { kind: 'heading', level: 3, inlines: [{ text: '小标题', strong: false }] },
    ]);
  });

  it('gives a plain text for download', () => {
    const text = markdownToText(SAMPLE);
    expect(text).toContain('客户账户业务办理承诺书\n\n致：开户云期货');
    expect(text).toContain('1. 本人是账户所有人。\n2. 信息真实、准确。续行也属于第二条。');
    expect(text).toContain('· 身份证\n· 银行卡');
    expect(text).not.toMatch(/\*\*|^#|^>/m);
  });
});
