// SPDX-License-Identifier: ISC
// The model as an implementation: an adapter that answers every `run` with one trace the model
// itself accepts (spec/model.md, MODEL-005). The model is an acceptor, so the trace is found by
// trying: take the first callback the model accepts while there is one, then the first ending
// (outcome and clock) it accepts. Running the cases on it checks the cases (their explicit expectations must
// be traces the model allows), and it is the matrix's reference column.
#include <algorithm>
#include <vector>

#include "subjects.hpp"

namespace refloop::conformance {
namespace {

using namespace model::loop;

constexpr int max_callbacks_per_run = 64;

class ModelSubject final : public Subject {
 public:
  [[nodiscard]] std::string name() const override { return "model"; }
  void act(const Op& op) override { model_.apply(op); }

  Outcome run(bool nowait, const Callback& callback) override {
    model_.begin_run(nowait);
    // Callbacks first: the model also accepts some shorter traces (a step 1 it may skip, bands
    // it may leave out, MODEL-005), and the reference column should show the fuller one.
    for (int n = 0; n < max_callbacks_per_run; ++n) {
      const auto event = next_callback();
      if (!event) break;
      if (!callback(*event)) return Outcome::polled;  // the judge disagrees; it reports why
    }
    if (auto ended = try_end()) return *ended;
    // No accepted ending: report one the model will refuse, so the judge names what is missing.
    return Outcome::polled;
  }

  [[nodiscard]] tain clock() const override { return model_.clock(); }
  [[nodiscard]] bool registered(const Ref& ref) const override { return model_.registered(ref); }
  [[nodiscard]] std::size_t registered_count() const override { return model_.registered_count(); }
  [[nodiscard]] std::optional<std::uint64_t> unread(int end) const override {
    if (!model_.world().open(end)) return std::nullopt;
    return model_.world().unread(end);
  }

 private:
  // Clocks a wait may end at: unchanged, or some timer's expiry (the poll deadline).
  std::vector<tain> clock_candidates() const {
    std::vector<tain> clocks{model_.clock()};
    for (int i = 0; i < max_timers; ++i)
      if (model_.clock() < model_.timer(i).expires) clocks.push_back(model_.timer(i).expires);
    std::sort(clocks.begin(), clocks.end());
    return clocks;
  }

  std::optional<Outcome> try_end() {
    for (Outcome outcome : {Outcome::quit, Outcome::empty, Outcome::deadlock, Outcome::polled})
      for (const tain& clock : clock_candidates()) {
        LoopModel trial = model_;
        if (!trial.end_run(outcome, clock)) {
          model_ = trial;
          return outcome;
        }
      }
    return std::nullopt;
  }

  std::vector<Event> candidates() const {
    std::vector<Event> events;
    for (int i = 0; i < max_timers; ++i)
      events.push_back(Event{Ref{Kind::timer, static_cast<std::uint8_t>(i)}, Band::in, model_.timer(i).script});
    for (int i = 0; i < max_tasks; ++i)
      events.push_back(Event{Ref{Kind::task, static_cast<std::uint8_t>(i)}, Band::in, model_.task(i).script});
    for (int end = 0; end < max_ends; ++end)
      for (Band band : all_bands) {
        const int script = model_.fd(end).handler[static_cast<int>(band)];
        if (script >= 0) events.push_back(Event{Ref{Kind::fd, static_cast<std::uint8_t>(end)}, band, script});
      }
    return events;
  }

  std::optional<Event> next_callback() {
    for (const Event& event : candidates()) {
      LoopModel trial = model_;
      if (!trial.on_callback(event)) {
        model_ = trial;
        return event;
      }
    }
    return std::nullopt;
  }

  LoopModel model_{tain_epoch};
};

}  // namespace

std::unique_ptr<Subject> make_model_subject() { return std::make_unique<ModelSubject>(); }

}  // namespace refloop::conformance
