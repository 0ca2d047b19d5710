import { Component } from '@angular/core';

// placeholder while the step is being built
@Component({ selector: 'kh-agreements-step', template: '<p>…</p>' })
export class AgreementsStep {}
