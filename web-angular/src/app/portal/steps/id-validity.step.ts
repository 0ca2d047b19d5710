import { Component } from '@angular/core';

// placeholder while the step is being built
@Component({ selector: 'kh-id-validity-step', template: '<p>…</p>' })
export class IdValidityStep {}
