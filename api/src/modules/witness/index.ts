/** The video witness (视频见证): queue, sessions, presence, recordings and media. What other modules may use of it. */

export { WitnessService } from './witness.service';
