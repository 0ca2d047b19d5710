import { Component, input } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { FieldErrors } from '../../shared/field-errors';

/** A card's validity as the page edits it. */
export interface ValidityModel {
  from: string;
  to: string;
  longTerm: boolean;
}

/**
 * * 身份证有效期: 自 … 至 … or 长期 (修改身份证有效期 and 身份信息填写). `ids` are the field names the
 * server's problems use, and the inputs' ids.
 */
@Component({
  selector: 'kh-id-validity-fields',
  imports: [FormsModule],
  template: `
    <fieldset class="validity">
      <legend>* 身份证有效期</legend>
      <div class="grid-2">
        <div class="field">
          <label [for]="ids().from">自</label>
          <input [id]="ids().from" [name]="ids().from" type="date" [(ngModel)]="m().from" [attr.aria-invalid]="!!errors().of(ids().from)" [attr.aria-describedby]="ids().from + '-error'" />
          <div [id]="ids().from + '-error'" class="field-error">{{ errors().of(ids().from) }}</div>
        </div>
        <div class="field">
          <label [for]="ids().to">至</label>
          <input [id]="ids().to" [name]="ids().to" type="date" [(ngModel)]="m().to" [disabled]="m().longTerm" [attr.aria-invalid]="!!errors().of(ids().to)" [attr.aria-describedby]="ids().to + '-error'" />
          <div [id]="ids().to + '-error'" class="field-error">{{ errors().of(ids().to) }}</div>
        </div>
      </div>
      <label class="choice"><input type="checkbox" name="longTerm" [(ngModel)]="m().longTerm" (ngModelChange)="m().longTerm && (m().to = '')" /> 长期</label>
    </fieldset>
  `,
})
export class IdValidityFields {
  readonly m = input.required<ValidityModel>({ alias: 'model' });
  readonly errors = input.required<FieldErrors>();
  readonly ids = input<{ from: string; to: string }>({ from: 'validFrom', to: 'validTo' });
}
