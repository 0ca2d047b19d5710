import { effect, inject } from '@angular/core';
import { Router } from '@angular/router';
import { ApolloLink, InMemoryCache, CombinedGraphQLErrors } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { HttpLink } from 'apollo-angular/http';
import { createClient, type Client } from 'graphql-ws';
import { SessionStore } from './session';

/**
 * Apollo for the portal and the console: HTTP for queries and mutations, graphql-ws for
 * subscriptions, the session's bearer token on both. An expired or revoked session sends the
 * person back to the login page of their area.
 */
export function apolloOptions() {
  const httpLink = inject(HttpLink);
  const session = inject(SessionStore);
  const router = inject(Router);
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;

  let ws: Client | null = null;
  const socket = () =>
    (ws ??= createClient({
      url: wsUrl,
      lazy: true,
      // the call and the queue must survive a flaky phone network: retry for a long time
      retryAttempts: 1000,
      shouldRetry: () => true,
      retryWait: async (n) => new Promise((r) => setTimeout(r, Math.min(500 * 2 ** n, 5000))),
      connectionParams: () => {
        const token = session.token();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
    }));
  // a new token (login, logout): the socket reconnects with it
  effect(() => {
    session.generation();
    const old = ws;
    ws = null;
    void old?.dispose();
  });
  const wsLink = new ApolloLink((op) => new GraphQLWsLink(socket()).request(op));

  const auth = new SetContextLink((prev) => {
    const token = session.token();
    return token ? { headers: { ...(prev['headers'] as object), Authorization: `Bearer ${token}` } } : {};
  });
  const expired = new ErrorLink(({ error }) => {
    if (
      CombinedGraphQLErrors.is(error) &&
      error.errors.some((e) => e.extensions?.['code'] === 'UNAUTHENTICATED') &&
      session.loggedIn()
    ) {
      session.clear();
      const area = location.pathname.startsWith('/agent') ? '/agent/login' : '/login';
      void router.navigate([area], { queryParams: { expired: 1, next: location.pathname } });
    }
  });
  const http = httpLink.create({ uri: '/graphql' });
  const link = ApolloLink.split(
    ({ query }) => {
      const d = getMainDefinition(query);
      return d.kind === 'OperationDefinition' && d.operation === 'subscription';
    },
    wsLink,
    ApolloLink.from([expired, auth, http]),
  );
  return {
    link,
    cache: new InMemoryCache({ addTypename: true } as never),
    defaultOptions: {
      watchQuery: { fetchPolicy: 'network-only' as const },
      query: { fetchPolicy: 'network-only' as const },
    },
  };
}
