import { Component } from '@angular/core';

// placeholder while the page is being built
@Component({ selector: 'kh-start-page', template: '<p>…</p>' })
export class StartPage {}
