import { Component } from '@angular/core';

// placeholder while the page is being built
@Component({ selector: 'kh-agreements-page', template: '<p>…</p>' })
export class AgreementsPage {}
