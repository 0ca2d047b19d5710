/**
 * Demo data of 网上开户 (online account opening): the banks accepted for settlement accounts, the
 * questionnaires (适当性评估, 回访问卷, the knowledge tests of 中金所 and 上期能源), the exchanges
 * offered with their products' risk and conditions, the age limits, and the login page's texts
 * (投资者教育, 开户帮助).
 *
 * The questionnaires are written for the demo, in the shape Chinese futures companies use under
 * 《证券期货投资者适当性管理办法》; they are not any broker's questionnaire.
 */
import type {
  BankDefinition,
  ExchangeRule,
  HolidaySpec,
  OpeningRules,
  QuestionDefinition,
  QuestionnaireDefinition,
  ServiceWindow,
} from '@kaihu/plugin-api';

import { DEMO_NOTICE, type AgreementBroker } from './agreements';

// ---------------------------------------------------------------------------------------------
// Banks (结算账户)
// ---------------------------------------------------------------------------------------------

/** The large banks, by their bank code in China's payment system (CNAPS). */
export const DEMO_BANKS: BankDefinition[] = [
  { code: '102', name: '中国工商银行', luhn: true },
  { code: '103', name: '中国农业银行', luhn: true },
  { code: '104', name: '中国银行', luhn: true },
  { code: '105', name: '中国建设银行', luhn: true },
  { code: '301', name: '交通银行', luhn: true },
  { code: '302', name: '中信银行', luhn: true },
  { code: '303', name: '中国光大银行', luhn: true },
  { code: '304', name: '华夏银行', luhn: true },
  { code: '305', name: '中国民生银行', luhn: true },
  { code: '306', name: '广发银行', luhn: true },
  { code: '307', name: '平安银行', luhn: true },
  { code: '308', name: '招商银行', luhn: true },
  { code: '309', name: '兴业银行', luhn: true },
  { code: '310', name: '上海浦东发展银行', luhn: true },
  { code: '403', name: '中国邮政储蓄银行', luhn: true },
];

// ---------------------------------------------------------------------------------------------
// Questionnaires
// ---------------------------------------------------------------------------------------------

/** Option codes A, B, C, … in order. */
const LETTERS = 'ABCDEFGHIJ';

/** A question of the suitability questionnaire: `[text, score, 'lowest'?]` per option. */
function scored(
  section: string,
  text: string,
  options: [string, number, 'lowest'?][],
  multiple = false,
): Omit<QuestionDefinition, 'code'> {
  return {
    text,
    section,
    multiple,
    options: options.map(([optionText, score, lowest], i) => ({
      code: LETTERS[i],
      text: optionText,
      score,
      ...(lowest ? { lowestCategory: true } : {}),
    })),
  };
}

/** Numbers the questions `Q1`, `Q2`, … */
function numbered(questions: Omit<QuestionDefinition, 'code'>[]): QuestionDefinition[] {
  return questions.map((q, i) => ({ code: `Q${i + 1}`, ...q }));
}

/**
 * 普通投资者风险承受能力评估问卷（自然人）: 19 questions in five sections. The lowest answers add
 * up to 0 and the highest to 100 (for the multiple-choice question only the highest chosen answer
 * counts). 无固定收入来源 and 不能承受任何本金损失 make the investor 最低风险承受能力类别
 * whatever the score.
 */
export const SUITABILITY_QUESTIONNAIRE: QuestionnaireDefinition = {
  code: 'SUITABILITY',
  kind: 'SUITABILITY',
  title: '普通投资者风险承受能力评估问卷（自然人）',
  questions: numbered([
    // 基本情况 (max 13)
    scored('基本情况', '您的年龄是：', [
      ['18～30 周岁', 4],
      ['31～40 周岁', 5],
      ['41～50 周岁', 4],
      ['51～60 周岁', 2],
      ['60 周岁以上', 0],
    ]),
    scored('基本情况', '您的最高学历是：', [
      ['初中及以下', 0],
      ['高中或中专', 1],
      ['大学专科', 2],
      ['大学本科', 3],
      ['硕士研究生及以上', 4],
    ]),
    scored('基本情况', '您的职业是：', [
      ['无固定职业、离退休人员或在校学生', 0],
      ['一般企事业单位职员、工人、农民', 2],
      ['个体工商户或自由职业者', 2],
      ['企事业单位管理人员或专业技术人员', 3],
      ['金融机构从业人员（期货公司从业人员除外）', 4],
    ]),
    // 财务状况 (max 24)
    scored('财务状况', '您的主要收入来源是：', [
      ['工资、劳务报酬', 2],
      ['生产经营所得', 3],
      ['利息、股息、转让证券等金融性资产收入', 4],
      ['出租、出售房地产等非金融性资产收入', 3],
      ['无固定收入来源', 0, 'lowest'],
    ]),
    scored('财务状况', '您近三年个人年均收入约为：', [
      ['10 万元以下', 0],
      ['10 万～50 万元（不含）', 2],
      ['50 万～100 万元（不含）', 4],
      ['100 万～500 万元（不含）', 5],
      ['500 万元及以上', 6],
    ]),
    scored('财务状况', '您目前的金融资产（包括银行存款、股票、基金、债券、理财产品、期货权益等）约为：', [
      ['50 万元以下', 0],
      ['50 万～300 万元（不含）', 2],
      ['300 万～1000 万元（不含）', 4],
      ['1000 万元及以上', 6],
    ]),
    scored('财务状况', '您计划用于期货、期权等高风险投资的资金，占您金融资产的比例约为：', [
      ['70% 以上', 0],
      ['50%～70%', 1],
      ['30%～50%（不含）', 2],
      ['10%～30%（不含）', 3],
      ['10% 以下', 4],
    ]),
    scored('财务状况', '您目前的债务情况是：', [
      ['有较大数额的未到期债务，每月还款额超过月收入的一半', 0],
      ['有亲友借款、信用卡分期等短期债务', 1],
      ['有住房抵押贷款等长期定额债务，还款压力不大', 2],
      ['没有债务', 4],
    ]),
    // 投资知识 (max 12)
    scored('投资知识', '您对期货、期权等衍生品的了解程度是：', [
      ['完全不了解', 0],
      ['了解一些基本概念，但不清楚交易规则', 2],
      ['了解保证金、当日无负债结算、强行平仓等交易规则和风险', 5],
      ['深入了解衍生品的定价和风险管理，能够独立分析和决策', 8],
    ]),
    scored('投资知识', '您是否参加过期货投资者教育活动，或具有金融相关的专业背景：', [
      ['都没有', 0],
      ['参加过期货公司或交易所组织的投资者教育活动', 2],
      ['通过期货从业资格考试，或具有经济、金融相关专业学历', 4],
    ]),
    // 投资经验 (max 22)
    scored(
      '投资经验',
      '您曾经投资过以下哪些产品（可多选）：',
      [
        ['银行存款、国债、货币市场基金', 1],
        ['债券、债券型基金、银行理财产品', 2],
        ['股票、混合型或股票型基金', 3],
        ['私募基金、信托计划、资产管理计划', 4],
        ['期货、期权等衍生品', 5],
        ['以上都没有投资过', 0],
      ],
      true,
    ),
    scored('投资经验', '您投资股票、基金等证券类产品的年限是：', [
      ['没有投资经验', 0],
      ['1 年以下', 1],
      ['1～3 年（不含）', 3],
      ['3～5 年（不含）', 4],
      ['5 年及以上', 5],
    ]),
    scored('投资经验', '您投资期货、期权等衍生品的年限是：', [
      ['没有投资经验', 0],
      ['1 年以下', 2],
      ['1～3 年（不含）', 4],
      ['3～5 年（不含）', 6],
      ['5 年及以上', 8],
    ]),
    scored('投资经验', '过去一年，您进行证券、期货等投资交易的频率是：', [
      ['从未交易', 0],
      ['每年几次', 1],
      ['每月几次', 2],
      ['每周几次', 3],
      ['几乎每个交易日', 4],
    ]),
    // 风险偏好 (max 29)
    scored('风险偏好', '您的投资目标是：', [
      ['保证本金安全，不在乎收益高低', 0],
      ['获得略高于存款利息的稳定收益', 2],
      ['资产稳健增长，可以承受一定波动', 4],
      ['资产快速增长，愿意为此承担较大风险', 6],
    ]),
    scored('风险偏好', '您计划的投资期限是：', [
      ['1 年以内', 0],
      ['1～3 年', 1],
      ['3～5 年', 2],
      ['5 年以上', 3],
    ]),
    scored('风险偏好', '您对投资损失的态度是：', [
      ['不能承受任何本金损失', 0, 'lowest'],
      ['能承受少量本金损失，但希望尽快回本', 2],
      ['能承受一定的本金损失，只要损失在可接受的范围内', 4],
      ['为追求较高收益，能承受较大的本金损失', 6],
    ]),
    scored('风险偏好', '您能够承受的最大投资损失是本金的：', [
      ['5% 以内', 0],
      ['5%～10%', 2],
      ['10%～30%', 4],
      ['30%～50%', 6],
      ['50% 以上', 8],
    ]),
    scored('风险偏好', '如果您的投资在短期内下跌了 20%，您会：', [
      ['全部卖出，不再投资', 0],
      ['卖出一部分，减少损失', 2],
      ['继续持有，等待回升', 4],
      ['逢低追加投资', 6],
    ]),
  ]),
  bands: [
    { tolerance: 'C1', minScore: 0 },
    { tolerance: 'C2', minScore: 20 },
    { tolerance: 'C3', minScore: 37 },
    { tolerance: 'C4', minScore: 53 },
    { tolerance: 'C5', minScore: 82 },
  ],
};

/** A return-visit question: 是 / 否 / 不清楚, `expected` on the answer the broker expects. */
function yesNo(text: string, expected: 'Y' | 'N'): Omit<QuestionDefinition, 'code'> {
  return {
    text,
    multiple: false,
    options: [
      { code: 'Y', text: '是', ...(expected === 'Y' ? { expected: true } : {}) },
      { code: 'N', text: '否', ...(expected === 'N' ? { expected: true } : {}) },
      { code: 'U', text: '不清楚' },
    ],
  };
}

/** 开户回访问卷: any answer other than the expected one flags the ticket 需人工回访. */
export const RETURN_VISIT_QUESTIONNAIRE: QuestionnaireDefinition = {
  code: 'RETURN_VISIT',
  kind: 'RETURN_VISIT',
  title: '开户回访问卷',
  questions: numbered([
    yesNo('本次期货账户是否由您本人申请开立，开户后由您本人使用？', 'Y'),
    yesNo('是否有人向您承诺投资收益，或者承诺保证本金不受损失？', 'N'),
    yesNo('是否有人提出代您进行交易操作，或者要求您全权委托其进行期货交易？', 'N'),
    yesNo('您是否知晓期货交易的风险，了解保证金交易可能使您在短时间内损失全部本金？', 'Y'),
    yesNo('您是否已经认真阅读并理解您所签署的期货经纪合同、风险说明书等协议的内容？', 'Y'),
    yesNo('视频见证过程中，工作人员是否向您出示了其姓名和期货从业资格号？', 'Y'),
    yesNo('您的交易密码、资金密码和数字证书密码是否只有您本人知晓？', 'Y'),
    yesNo('您开户时提供的身份信息、联系方式和银行账户是否均为您本人真实、有效的信息？', 'Y'),
  ]),
};

/** A knowledge-test question worth 10 points with four options, `correct` the index of the right one. */
function quiz(
  text: string,
  options: [string, string, string, string],
  correct: 0 | 1 | 2 | 3,
): Omit<QuestionDefinition, 'code'> {
  return {
    text,
    multiple: false,
    points: 10,
    options: options.map((optionText, i) => ({
      code: LETTERS[i],
      text: optionText,
      ...(i === correct ? { correct: true } : {}),
    })),
  };
}

/** 金融期货知识测试 (中国金融期货交易所): 10 questions of 10 points, 80 to pass. */
export const CFFEX_KNOWLEDGE_TEST: QuestionnaireDefinition = {
  code: 'CFFEX_KNOWLEDGE',
  kind: 'KNOWLEDGE_TEST',
  title: '金融期货知识测试',
  exchange: 'CFFEX',
  passScore: 80,
  questions: numbered([
    quiz('沪深300股指期货的合约乘数是：', ['每点 100 元', '每点 200 元', '每点 300 元', '每点 500 元'], 2),
    quiz('股指期货合约到期时采用的交割方式是：', ['实物交割', '现金交割', '股票交割', '由买卖双方协商确定'], 1),
    quiz(
      '沪深300股指期货合约的最后交易日是：',
      [
        '合约到期月份的第一个交易日',
        '合约到期月份的第三个周五（遇法定节假日顺延）',
        '合约到期月份的最后一个交易日',
        '合约到期月份的第十个交易日',
      ],
      1,
    ),
    quiz(
      '当日无负债结算制度是指：',
      [
        '投资者当日不得持有任何负债',
        '每个交易日结束后，按当日结算价计算投资者持仓的盈亏，并相应划转保证金',
        '投资者的亏损在合约到期时一次性结算',
        '期货公司当日为投资者垫付全部亏损',
      ],
      1,
    ),
    quiz(
      '沪深300股指期货合约的每日价格最大波动限制（最后交易日除外）是：',
      ['上一交易日结算价的 ±2%', '上一交易日结算价的 ±5%', '上一交易日结算价的 ±10%', '不设涨跌停板'],
      2,
    ),
    quiz(
      '客户保证金不足，又未能在规定时间内追加保证金或自行减仓时，期货公司可以：',
      ['继续为客户垫付保证金', '对客户的部分或全部持仓强行平仓', '将客户的持仓转让给其他客户', '等待行情好转后再处理'],
      1,
    ),
    quiz(
      '中国金融期货交易所的国债期货合约到期时采用的交割方式是：',
      ['现金交割', '实物交割（交付可交割国债）', '以股票替代交割', '不进行交割'],
      1,
    ),
    quiz(
      '某投资者以 4000 点买入开仓 1 手沪深300股指期货合约，之后以 4050 点卖出平仓。不考虑手续费，该笔交易的盈亏是：',
      ['盈利 50 元', '盈利 5000 元', '盈利 15000 元', '亏损 15000 元'],
      2,
    ),
    quiz(
      '沪深300股指期货合约价格为 4000 点、交易保证金比例为 12% 时，开仓 1 手合约所需的交易保证金约为：',
      ['48000 元', '120000 元', '144000 元', '1200000 元'],
      2,
    ),
    quiz(
      '根据中国金融期货交易所的投资者适当性制度，自然人申请开立金融期货交易编码前，保证金账户可用资金余额应当：',
      [
        '不低于人民币 10 万元',
        '前 5 个交易日每日均不低于人民币 50 万元',
        '在申请当日不低于人民币 5 万元',
        '没有资金要求',
      ],
      1,
    ),
  ]),
};

/** 原油期货知识测试 (上海国际能源交易中心): 10 questions of 10 points, 80 to pass. */
export const INE_KNOWLEDGE_TEST: QuestionnaireDefinition = {
  code: 'INE_KNOWLEDGE',
  kind: 'KNOWLEDGE_TEST',
  title: '原油期货知识测试',
  exchange: 'INE',
  passScore: 80,
  questions: numbered([
    quiz('上海国际能源交易中心的英文简称是：', ['SHFE', 'INE', 'CFFEX', 'DCE'], 1),
    quiz(
      '上海国际能源交易中心是由哪家期货交易所出资设立的：',
      ['大连商品交易所', '郑州商品交易所', '上海期货交易所', '中国金融期货交易所'],
      2,
    ),
    quiz('原油期货合约的交易单位是：', ['100 桶/手', '500 桶/手', '1000 桶/手', '10 吨/手'], 2),
    quiz('原油期货合约的报价单位是：', ['美元/桶', '元（人民币）/桶', '元（人民币）/吨', '美元/吨'], 1),
    quiz('原油期货合约的最小变动价位是：', ['0.01 元/桶', '0.1 元/桶', '1 元/桶', '10 元/桶'], 1),
    quiz('原油期货合约到期时采用的交割方式是：', ['现金交割', '实物交割', '以成品油替代交割', '不进行交割'], 1),
    quiz(
      '上海国际能源交易中心原油期货的交割标的是：',
      ['轻质低硫原油', '中质含硫原油', '重质高硫燃料油', '液化石油气'],
      1,
    ),
    quiz(
      '关于原油期货的交易者，下列说法正确的是：',
      [
        '只有国内石油企业可以参与',
        '自然人不得参与原油期货交易',
        '符合条件的境外交易者可以参与原油期货交易',
        '只能通过现货贸易商参与',
      ],
      2,
    ),
    quiz(
      '自然人客户持有的原油期货合约在进入交割月之前应当：',
      ['等待交易所安排实物交割', '自行了结（平仓），否则期货公司将按规定处理', '申请延期交割', '转为现货仓单'],
      1,
    ),
    quiz(
      '根据上海国际能源交易中心的投资者适当性要求，自然人申请原油期货交易编码前，保证金账户可用资金余额应当：',
      ['不低于人民币 10 万元', '前 5 个交易日每日均不低于人民币 50 万元', '不低于 1 万美元', '没有资金要求'],
      1,
    ),
  ]),
};

// ---------------------------------------------------------------------------------------------
// Exchanges and opening rules
// ---------------------------------------------------------------------------------------------

/** The six exchanges, in the order they are offered; 中金所 and 上期能源 carry their conditions. */
export const DEMO_EXCHANGES: ExchangeRule[] = [
  { exchange: 'SHFE', risk: 'R4' },
  { exchange: 'DCE', risk: 'R4' },
  { exchange: 'CZCE', risk: 'R4' },
  { exchange: 'GFEX', risk: 'R4' },
  {
    exchange: 'CFFEX',
    risk: 'R4',
    conditions: {
      minAvailableFunds: 500000,
      fundsDays: 5,
      knowledgeTest: 'CFFEX_KNOWLEDGE',
      knowledgeTestMinScore: 80,
      tradingRecord: true,
    },
  },
  {
    exchange: 'INE',
    risk: 'R4',
    conditions: {
      minAvailableFunds: 500000,
      fundsDays: 5,
      knowledgeTest: 'INE_KNOWLEDGE',
      knowledgeTestMinScore: 80,
      tradingRecord: true,
    },
  },
];

/** 网上开户 is open to applicants aged 18 to 70 (inclusive). */
export const DEMO_OPENING: OpeningRules = { minAge: 18, maxAge: 70 };

// ---------------------------------------------------------------------------------------------
// Login page texts
// ---------------------------------------------------------------------------------------------

/** What the texts mention about the broker; the service hours are optional. */
export interface TextsBroker extends AgreementBroker {
  serviceWindows?: readonly ServiceWindow[];
  holidays?: readonly HolidaySpec[];
}

const WEEKDAY_NAMES = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

/** `周一至周五 08:40–17:45`, `每天 00:00–24:00`, … (consecutive days with the same hours grouped). */
export function serviceHoursText(windows: readonly ServiceWindow[] | undefined): string | null {
  if (!windows || windows.length === 0) return null;
  const sorted = [...windows].sort((a, b) => a.weekday - b.weekday || a.opens.localeCompare(b.opens));
  if (sorted.length === 7 && sorted.every((w) => w.opens === '00:00' && w.closes === '24:00')) {
    return '每天 24 小时';
  }
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (
      j + 1 < sorted.length &&
      sorted[j + 1].weekday === sorted[j].weekday + 1 &&
      sorted[j + 1].opens === sorted[i].opens &&
      sorted[j + 1].closes === sorted[i].closes
    ) {
      j++;
    }
    const days =
      j - i === 6
        ? '每天'
        : i === j
          ? WEEKDAY_NAMES[sorted[i].weekday]
          : `${WEEKDAY_NAMES[sorted[i].weekday]}至${WEEKDAY_NAMES[sorted[j].weekday]}`;
    parts.push(`${days} ${sorted[i].opens}–${sorted[i].closes}`);
    i = j + 1;
  }
  return parts.join('，');
}

function phoneSentence(broker: AgreementBroker): string {
  return broker.servicePhone ? `客户服务电话 ${broker.servicePhone}` : '本公司官方网站公布的客户服务电话';
}

function investorEducation(broker: TextsBroker): string {
  const company = broker.name;
  return `${DEMO_NOTICE}

# 投资者教育

## 一、什么是期货

期货合约是由期货交易所统一制定、约定在将来某一特定时间和地点交割一定数量标的物的标准化合约。期货交易可以买入开仓（做多），也可以卖出开仓（做空），在合约到期前通过反向交易了结持仓。我国目前有上海期货交易所、大连商品交易所、郑州商品交易所、广州期货交易所、中国金融期货交易所和上海国际能源交易中心，品种涵盖农产品、金属、能源化工以及股指、国债等金融期货和期权。

## 二、保证金与杠杆

期货交易实行保证金制度，您只需缴纳合约价值一定比例（通常为 5%～15%）的保证金即可交易。例如保证金比例为 10% 时，1 万元保证金可以交易价值 10 万元的合约，价格变动 1%，您的权益就变动约 10%。杠杆放大收益，也同样放大亏损：行情不利时，您可能在很短时间内损失全部保证金，甚至承担超过保证金的损失。

## 三、当日无负债结算

期货公司在每个交易日收市后，按当日结算价计算您全部持仓的盈亏、手续费和占用的保证金，盈利划入、亏损划出。结算后保证金不足的，您应当在下一交易日开市前追加保证金或者自行减仓。交易结算报告可以通过中国期货市场监控中心查询，请每日查看并及时确认。

## 四、强行平仓

您的账户风险度达到期货公司规定的标准，而您未能按时追加保证金或自行减仓，或者持仓超过交易所的限仓规定时，期货公司有权对您的部分或全部持仓强行平仓。行情剧烈波动时，强行平仓的成交价格可能明显不利，由此产生的损失和费用由您承担。

## 五、适当性管理

根据《证券期货投资者适当性管理办法》，${company}在为您开户前，会通过问卷评估您的风险承受能力，由低到高分为 C1（保守型）、C2（谨慎型）、C3（稳健型）、C4（积极型）、C5（激进型）五类；产品和服务的风险等级由低到高分为 R1 至 R5。期货和期权属于高风险产品（本公司评定为 R4），适合 C4 及以上的投资者。评估结果与产品风险不匹配的，本公司会向您作出风险不匹配警示；属于最低风险承受能力类别的投资者，本公司不向其提供高于其风险承受能力的产品或服务。请如实填写问卷，这是对您自己的保护。

## 六、识别非法期货活动

- **非法期货**：未经批准的"现货交易平台""微盘""外汇保证金""虚拟货币合约"等，以期货名义吸收资金、与客户对赌，资金安全毫无保障。
- **代客理财**：以"带单""喊单""老师操盘"等名义索要您的交易密码或代您操作。期货公司工作人员不得接受客户的全权委托。
- **承诺收益**：宣称"稳赚不赔""保本保收益""内幕消息""月收益翻倍"的，都是违法违规宣传。
- **场外配资**：以少量本金借入数倍资金交易，不受法律保护，极易造成巨额损失。

合法期货公司的名单可以在中国证监会和中国期货业协会的官方网站查询。本公司只通过以本公司名义开立的期货保证金账户收取保证金，从不要求您向任何个人账户转账。

## 七、投诉与咨询

对本公司的服务有疑问、意见或投诉，请拨打${phoneSentence(broker)}；您也可以向中国期货业协会投诉或申请纠纷调解，或者向本公司住所地的中国证监会派出机构反映。
`;
}

function openingHelp(broker: TextsBroker): string {
  const company = broker.name;
  const hours = serviceHoursText(broker.serviceWindows);
  const holidays = broker.holidays && broker.holidays.length > 0 ? '，法定节假日除外' : '';
  const outside = '非服务时间内您可以浏览信息，但不能发起业务、提交申请或排队视频见证。';
  const hoursLine =
    hours === '每天 24 小时'
      ? '本系统每天 24 小时提供服务。'
      : hours
        ? `服务时间为${hours}${holidays}；${outside}`
        : `服务时间以本页面公布的时间为准；${outside}`;
  return `${DEMO_NOTICE}

# 开户帮助

## 一、开户前请准备

1. 本人第二代居民身份证原件，并确认证件在有效期内；
2. 本人名下的银行借记卡，用作期货结算账户（须为本系统列出的银行）；
3. 带摄像头和麦克风的电脑，或者智能手机，并使用较新版本的浏览器；
4. 本人实名使用的手机号码，用于接收验证码和开户结果短信；
5. 光线充足、安静的环境和稳定的网络（建议使用 Wi-Fi）。

网上开户的申请人须年满 18 周岁、不超过 70 周岁，并具有完全民事行为能力。

## 二、开立期货账户的步骤

开立期货账户共八步，已填写的内容会自动保存，中途退出后可以继续办理：

1. **身份信息填写**：上传身份证正反面照片，核对并补充住址、职业、学历、税收居民身份等信息；
2. **结算账户设置**：选择开户银行，填写本人名下的银行卡号；
3. **适当性评估**：如实回答风险承受能力评估问卷，查看您的风险承受能力等级和适当性匹配意见；
4. **交易所选择**：选择需要申请交易编码的交易所。中国金融期货交易所和上海国际能源交易中心另有可用资金、知识测试和交易经历的要求，首次开户时不能选择，满足条件后可以通过"增开交易编码"业务申请；
5. **视频见证**：与本公司见证人员视频通话，核验身份并申请数字证书；
6. **签署协议**：阅读期货经纪合同、风险说明书等文件，使用数字证书签署；
7. **回访问卷**：回答几个关于开户真实意愿的问题；
8. **申请提交**：确认全部信息后提交申请。

## 三、拍照小提示

- 将身份证平放在深色、纯色的桌面上，证件四角完整入镜；
- 避免反光、阴影和手指遮挡，确保文字清晰可辨；
- 请拍摄证件原件，不要使用复印件、翻拍屏幕或经过修图的照片。

## 四、视频见证

见证人员接入后，会向您出示其姓名和期货从业资格号，您可以在中国期货业协会网站查询核实。见证人员会请您出示身份证原件、确认开户意愿并回答几个问题。视频通话全程录音录像，录像作为开户档案依法保存。请您本人独立完成见证，身边不要有他人提示或代答。

## 五、数字证书密码

见证通过后，您需要为数字证书设置 6 至 8 位数字密码。该密码只有您本人知道，${company}不会保存，也不会以任何方式向您索要；遗忘后无法找回，只能重新见证并申请证书。

## 六、提交之后

申请提交后，本公司工作人员将对您的资料进行复核。复核通过后，您会收到载有资金账号的短信；各交易所的交易编码随后申请，下发后另行短信通知。资料有问题的，申请会被退回并说明原因，您按提示修改后可以重新提交。开户成功后，请携带本人身份证和银行卡到银行柜台，或者通过网上银行签订银期转账协议，之后即可转入资金进行交易。

## 七、服务时间与联系方式

${hoursLine}办理中遇到问题，请拨打${phoneSentence(broker)}。
`;
}

/** The login page's Markdown texts of one broker: 投资者教育 and 开户帮助. */
export function demoTexts(broker: TextsBroker): { investorEducation: string; openingHelp: string } {
  return { investorEducation: investorEducation(broker), openingHelp: openingHelp(broker) };
}
