import { inject } from '@angular/core';
import { type CanActivateFn, Router } from '@angular/router';
import { SessionStore } from './session';

/** Customer pages: to the login page (and back here after it) when nobody is logged in. */
export const customerGuard: CanActivateFn = (_route, state) => {
  const session = inject(SessionStore);
  if (session.loggedIn() && session.hasRole('CUSTOMER')) return true;
  return inject(Router).createUrlTree(['/login'], { queryParams: { next: state.url } });
};

/** 开立期货账户's own pages: to the mobile login (开户登录) when no prospect is logged in. */
export const prospectGuard: CanActivateFn = (_route, state) => {
  const session = inject(SessionStore);
  if (session.loggedIn() && session.hasRole('PROSPECT')) return true;
  return inject(Router).createUrlTree(['/login'], { queryParams: { mode: 'open', next: state.url } });
};

/** A ticket page: its customer, or the prospect opening an account; otherwise the login it needs. */
export const applicantGuard: CanActivateFn = (_route, state) => {
  const session = inject(SessionStore);
  if (session.loggedIn() && (session.hasRole('CUSTOMER') || session.hasRole('PROSPECT'))) return true;
  return inject(Router).createUrlTree(['/login'], { queryParams: { next: state.url } });
};
