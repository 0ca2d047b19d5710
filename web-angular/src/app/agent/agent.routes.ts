import { Routes } from '@angular/router';
import { ConsoleShell } from './shell';
import { StaffContext, staffGuard } from './staff';
import { inject } from '@angular/core';

/** The staff console (/agent), lazy-loaded: none of it is in the portal's bundle. */
export const AGENT_ROUTES: Routes = [
  {
    path: 'login',
    title: '登录 · 开户云工作台',
    loadComponent: () => import('./staff-login.page').then((m) => m.StaffLoginPage),
  },
  {
    path: '',
    component: ConsoleShell,
    canActivate: [staffGuard()],
    children: [
      { path: '', pathMatch: 'full', redirectTo: () => inject(StaffContext).home() },
      {
        path: 'witness',
        title: '视频见证队列 · 开户云工作台',
        canActivate: [staffGuard('AGENT')],
        loadComponent: () => import('./queue.page').then((m) => m.QueuePage),
      },
      {
        path: 'witness/:sessionId',
        title: '视频见证 · 开户云工作台',
        canActivate: [staffGuard('AGENT')],
        loadComponent: () => import('./call.page').then((m) => m.CallPage),
      },
      {
        path: 'review',
        title: '待复核业务 · 开户云工作台',
        canActivate: [staffGuard('REVIEWER')],
        loadComponent: () => import('./review-list.page').then((m) => m.ReviewListPage),
      },
      { path: 'admin', pathMatch: 'full', redirectTo: 'admin/branches' },
      {
        path: 'admin/branches',
        title: '营业部 · 开户云工作台',
        canActivate: [staffGuard('BROKER_ADMIN')],
        loadComponent: () => import('./admin/branches.page').then((m) => m.BranchesPage),
      },
      {
        path: 'admin/hours',
        title: '服务时间 · 开户云工作台',
        canActivate: [staffGuard('BROKER_ADMIN')],
        loadComponent: () => import('./admin/hours.page').then((m) => m.HoursPage),
      },
      {
        path: 'admin/agreements',
        title: '协议 · 开户云工作台',
        canActivate: [staffGuard('BROKER_ADMIN')],
        loadComponent: () => import('./admin/agreements.page').then((m) => m.AgreementsPage),
      },
      {
        path: 'admin/staff',
        title: '人员 · 开户云工作台',
        canActivate: [staffGuard('BROKER_ADMIN')],
        loadComponent: () => import('./admin/staff.page').then((m) => m.StaffPage),
      },
      {
        path: 'review/:id',
        title: '复核 · 开户云工作台',
        canActivate: [staffGuard('REVIEWER')],
        loadComponent: () => import('./review.page').then((m) => m.ReviewPage),
      },
    ],
  },
];
