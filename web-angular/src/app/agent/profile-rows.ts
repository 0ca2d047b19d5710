import type { ProfileFieldsFragment } from '../graphql/generated';

/** The customer's data the agent checks during the call, as label/value rows. */
export function profileRows(p: ProfileFieldsFragment | null): { label: string; value: string }[] {
  if (!p) return [];
  return [
    { label: '姓名', value: p.name },
    { label: '身份证号', value: p.idNumber },
    { label: '证件有效期', value: `${p.idValidFrom} 至 ${p.idLongTerm ? '长期' : (p.idValidTo ?? '')}` },
    { label: '身份证地址', value: p.idAddress },
    { label: '手机', value: p.mobile },
    { label: '联系电话', value: p.phone ?? '—' },
    {
      label: '联系地址',
      value: p.address.startsWith(p.province)
        ? p.address
        : `${p.province}${p.city === p.province ? '' : p.city}${p.address}`,
    },
    { label: '学历', value: p.education },
    { label: '职业', value: p.occupation },
  ];
}
