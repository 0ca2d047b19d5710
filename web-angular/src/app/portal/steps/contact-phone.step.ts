import { Component } from '@angular/core';

// placeholder while the step is being built
@Component({ selector: 'kh-contact-phone-step', template: '<p>…</p>' })
export class ContactPhoneStep {}
