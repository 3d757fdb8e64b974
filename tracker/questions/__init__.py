"""Members' questions: asked at a committee's meeting, answered by an officer ("we will report
back"), printed in the committee's next progress paper with the answer or "answer awaited"."""
