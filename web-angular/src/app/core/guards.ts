import { inject } from '@angular/core';
import { type CanActivateFn, Router } from '@angular/router';
import { SessionStore } from './session';

/** Customer pages: to the login page (and back here after it) when nobody is logged in. */
export const customerGuard: CanActivateFn = (_route, state) => {
  const session = inject(SessionStore);
  if (session.loggedIn() && session.hasRole('CUSTOMER')) return true;
  return inject(Router).createUrlTree(['/login'], { queryParams: { next: state.url } });
};
