import { Injectable, inject } from '@angular/core';
import { Observable } from 'rxjs';
import { SessionStore } from './session';
import { toApiError } from './errors';
import { print } from 'graphql';
import {
  UploadDocumentDocument,
  type DocumentFieldsFragment,
  type DocumentKind,
  type UploadDocumentMutation,
} from '../graphql/generated';

export type UploadEvent = { type: 'progress'; percent: number } | { type: 'done'; document: DocumentFieldsFragment };

/** schema/operations/documents.graphql, with its fragment */
const UPLOAD = print(UploadDocumentDocument);

/**
 * uploadDocument as a GraphQL multipart request over XHR, which reports upload progress (fetch
 * cannot).
 */
@Injectable({ providedIn: 'root' })
export class DocumentUploader {
  private readonly session = inject(SessionStore);

  upload(ticketId: string, kind: DocumentKind, file: Blob, fileName: string): Observable<UploadEvent> {
    return new Observable<UploadEvent>((sub) => {
      const form = new FormData();
      form.append(
        'operations',
        JSON.stringify({ query: UPLOAD, operationName: 'UploadDocument', variables: { ticketId, kind, file: null } }),
      );
      form.append('map', JSON.stringify({ 0: ['variables.file'] }));
      form.append('0', file, fileName);
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/graphql');
      const token = this.session.token();
      if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
      xhr.setRequestHeader('apollo-require-preflight', 'true');
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) sub.next({ type: 'progress', percent: Math.round((e.loaded / e.total) * 100) });
      };
      xhr.onload = () => {
        let body: { data?: Partial<UploadDocumentMutation>; errors?: unknown[] } | null = null;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          /* not JSON */
        }
        if (body?.data?.uploadDocument) {
          sub.next({ type: 'progress', percent: 100 });
          sub.next({ type: 'done', document: body.data.uploadDocument });
          sub.complete();
        } else sub.error(toApiError(body));
      };
      xhr.onerror = () => sub.error(toApiError(null));
      xhr.send(form);
      return () => xhr.readyState !== XMLHttpRequest.DONE && xhr.abort();
    });
  }
}
