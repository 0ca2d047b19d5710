import { Injectable, inject } from '@angular/core';
import { Observable } from 'rxjs';
import { SessionStore } from './session';
import { toApiError } from './errors';
import type { DocumentFieldsFragment, DocumentKind } from '../graphql/generated';

export type UploadEvent = { type: 'progress'; percent: number } | { type: 'done'; document: DocumentFieldsFragment };

const UPLOAD = `mutation UploadDocument($ticketId: ID!, $kind: DocumentKind!, $file: Upload!) {
  uploadDocument(ticketId: $ticketId, kind: $kind, file: $file) { id kind url thumbnailUrl width height adjustments reused createdAt }
}`;

/**
 * uploadDocument as a GraphQL multipart request over XHR, which reports upload progress (fetch
 * cannot). The query text is the one in schema/operations/documents.graphql.
 */
@Injectable({ providedIn: 'root' })
export class DocumentUploader {
  private readonly session = inject(SessionStore);

  upload(ticketId: string, kind: DocumentKind, file: Blob, fileName: string): Observable<UploadEvent> {
    return new Observable<UploadEvent>((sub) => {
      const form = new FormData();
      form.append('operations', JSON.stringify({ query: UPLOAD, operationName: 'UploadDocument', variables: { ticketId, kind, file: null } }));
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
        let body: { data?: { uploadDocument?: DocumentFieldsFragment }; errors?: unknown[] } | null = null;
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
