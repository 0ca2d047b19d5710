import { Component } from '@angular/core';

// placeholder while the step is being built
@Component({ selector: 'kh-other-info-step', template: '<p>…</p>' })
export class OtherInfoStep {}
