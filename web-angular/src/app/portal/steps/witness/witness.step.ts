import { Component } from '@angular/core';

// placeholder while the step is being built
@Component({ selector: 'kh-witness-step', template: '<p>…</p>' })
export class WitnessStep {}
