import { Routes } from '@angular/router';
import { applicantGuard, customerGuard, prospectGuard } from './core/guards';
import { PortalShell } from './portal/shell';

export const routes: Routes = [
  { path: 'agent', loadChildren: () => import('./agent/agent.routes').then((m) => m.AGENT_ROUTES) },
  {
    path: '',
    component: PortalShell,
    children: [
      {
        path: '',
        title: '业务办理 · 开户云',
        loadComponent: () => import('./portal/menu.page').then((m) => m.MenuPage),
      },
      {
        path: 'login',
        title: '登录 · 开户云',
        loadComponent: () => import('./portal/login.page').then((m) => m.LoginPage),
      },
      {
        path: 'profile',
        title: '我的基本资料 · 开户云',
        canActivate: [customerGuard],
        loadComponent: () => import('./portal/profile.page').then((m) => m.ProfilePage),
      },
      {
        path: 'start/:business',
        title: '业务办理 · 开户云',
        canActivate: [customerGuard],
        loadComponent: () => import('./portal/start.page').then((m) => m.StartPage),
      },
      {
        path: 'open',
        title: '开立期货账户 · 开户云',
        canActivate: [prospectGuard],
        loadComponent: () => import('./portal/opening/open-start.page').then((m) => m.OpenStartPage),
      },
      {
        path: 'ticket/:id',
        title: '业务办理 · 开户云',
        canActivate: [applicantGuard],
        loadComponent: () => import('./portal/ticket.page').then((m) => m.TicketPage),
      },
      {
        path: 'agreements',
        title: '协议下载 · 开户云',
        loadComponent: () => import('./portal/agreements.page').then((m) => m.AgreementsPage),
      },
    ],
  },
  { path: '**', redirectTo: '' },
];
